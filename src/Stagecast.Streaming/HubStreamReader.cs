using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;

namespace Stagecast.Streaming;

/// <summary>
/// One consumer of a live stream (a restream output, a test, ...) with its own bounded queue, an inline
/// <see cref="IHubStreamSink"/> (the HLS packager) that handles frames as they are written, or an
/// <see cref="IRtpSink"/> that takes the publisher's RTP as it came (a forwarding WebRTC viewer). Every reader of a
/// stream is one of these, so <see cref="HubStream.Readers"/> says who reads it.
/// The publisher never waits for a queued reader: when the queue is full, new media is dropped and counted, and video
/// stays dropped until the next keyframe so the reader resumes with a decodable picture. Configuration and
/// events are never dropped.
/// </summary>
public sealed class HubStreamReader : IDisposable
{
    private readonly Channel<MediaFrame> _channel = Channel.CreateUnbounded<MediaFrame>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });

    private readonly HubStream _stream;
    private readonly ReaderOptions _options;
    private readonly IHubStreamSink? _sink;
    private readonly IRtpSink? _rtp;
    private int _queuedFrames;
    private long _queuedBytes;
    private long _droppedFrames;
    private long _deliveredFrames;
    private bool _waitingForKeyframe;
    private int _disposed;

    internal HubStreamReader(HubStream stream, string name, ReaderOptions options, bool waitForKeyframe, IHubStreamSink? sink = null, IRtpSink? rtp = null)
    {
        _stream = stream;
        Name = name;
        _options = options;
        _waitingForKeyframe = waitForKeyframe;
        _sink = sink;
        _rtp = rtp;
    }

    public string Name { get; }

    /// <summary>A player (WHEP viewer, subscriber), counted in the stream's live viewers.</summary>
    public bool IsViewer => _options.IsViewer;

    /// <summary>The RTP reader's sink, or null for a frame reader.</summary>
    internal IRtpSink? Rtp => _rtp;

    public HubStream Stream => _stream;

    /// <summary>Media frames dropped because this reader fell behind.</summary>
    public long DroppedFrames => Interlocked.Read(ref _droppedFrames);

    private void CountDrop()
    {
        Interlocked.Increment(ref _droppedFrames);
        _stream.CountDroppedFrame();
        Metrics.StreamingMetrics.FrameDropped();
    }

    public long DeliveredFrames => Interlocked.Read(ref _deliveredFrames);

    public int QueuedFrames => Volatile.Read(ref _queuedFrames);

    /// <summary>Takes the next frame if one is queued. The caller owns it and must <see cref="MediaFrame.Release"/> it.</summary>
    public bool TryRead([NotNullWhen(true)] out MediaFrame? frame)
    {
        if (!_channel.Reader.TryRead(out frame))
        {
            return false;
        }

        Interlocked.Decrement(ref _queuedFrames);
        Interlocked.Add(ref _queuedBytes, -frame.Length);
        Interlocked.Increment(ref _deliveredFrames);
        return true;
    }

    /// <summary>Waits until a frame is queued; false once the stream has ended and everything was read.</summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) =>
        _channel.Reader.WaitToReadAsync(cancellationToken);

    /// <summary>Reads the next frame, or null once the stream has ended.</summary>
    public async ValueTask<MediaFrame?> ReadAsync(CancellationToken cancellationToken = default)
    {
        while (await WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (TryRead(out var frame))
            {
                return frame;
            }
        }

        return null;
    }

    /// <summary>Detaches from the stream and releases whatever is still queued.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stream.RemoveReader(this);
        Complete();
        while (_channel.Reader.TryRead(out var frame))
        {
            frame.Release();
        }
    }

    /// <summary>Called by the stream, under its lock, once per frame in stream order.</summary>
    internal void Offer(MediaFrame frame)
    {
        if (Volatile.Read(ref _disposed) != 0 || _rtp is not null)
        {
            return; // an RTP reader takes packets, not frames
        }

        if (frame.IsMedia)
        {
            bool full = Volatile.Read(ref _queuedFrames) >= _options.MaxQueuedFrames
                || Interlocked.Read(ref _queuedBytes) + frame.Length > _options.MaxQueuedBytes;
            if (frame.Kind == MediaFrameKind.Video)
            {
                if (full || (_waitingForKeyframe && !frame.IsKeyframe))
                {
                    _waitingForKeyframe = true;
                    CountDrop();
                    return;
                }

                _waitingForKeyframe = false;
            }
            else if (full)
            {
                CountDrop();
                return;
            }
        }

        if (_sink is not null)
        {
            Deliver(frame);
            return;
        }

        Interlocked.Increment(ref _queuedFrames);
        Interlocked.Add(ref _queuedBytes, frame.Length);
        if (!_channel.Writer.TryWrite(frame.Retain()))
        {
            Interlocked.Decrement(ref _queuedFrames);
            Interlocked.Add(ref _queuedBytes, -frame.Length);
            frame.Release();
        }
    }

    internal void Complete() => Complete(null);

    /// <summary>Hands an RTP packet to the RTP sink; a sink that throws is detached so the publisher carries on.</summary>
    internal void OfferRtp(ReadOnlySpan<byte> packet, bool video)
    {
        if (_rtp is not null && Volatile.Read(ref _disposed) == 0)
        {
            try
            {
                _rtp.OnRtp(packet, video);
            }
            catch (Exception ex)
            {
                Detach(ex);
            }
        }
    }

    internal void OfferSenderReport(bool video, ulong ntpTime, uint rtpTimestamp)
    {
        if (_rtp is not null && Volatile.Read(ref _disposed) == 0)
        {
            try
            {
                _rtp.OnSenderReport(video, ntpTime, rtpTimestamp);
            }
            catch (Exception ex)
            {
                Detach(ex);
            }
        }
    }

    internal void OfferRtpSourceChanged()
    {
        if (_rtp is not null && Volatile.Read(ref _disposed) == 0)
        {
            try
            {
                _rtp.OnRtpSourceChanged();
            }
            catch (Exception ex)
            {
                Detach(ex);
            }
        }
    }

    internal void OfferRtpRestarted(bool video)
    {
        if (_rtp is not null && Volatile.Read(ref _disposed) == 0)
        {
            try
            {
                _rtp.OnRtpRestarted(video);
            }
            catch (Exception ex)
            {
                Detach(ex);
            }
        }
    }

    private void Complete(Exception? error)
    {
        if (_channel.Writer.TryComplete())
        {
            _sink?.OnCompleted(error);
        }
    }

    /// <summary>Hands a frame to the inline sink; a sink that throws is detached so the publisher carries on.</summary>
    private void Deliver(MediaFrame frame)
    {
        try
        {
            _sink!.OnFrame(frame.Retain());
            Interlocked.Increment(ref _deliveredFrames);
        }
        catch (Exception ex)
        {
            Detach(ex);
        }
    }

    private void Detach(Exception error)
    {
        Interlocked.Exchange(ref _disposed, 1);
        _stream.RemoveReader(this);
        Complete(error);
    }
}
