using System.Buffers;
using System.Collections.Concurrent;
using System.Threading.Channels;
using Stagecast.Media.Codecs;
using Stagecast.Media.Codecs.H264;
using Stagecast.Streaming;
using Stagecast.WebRtc.Transport;

namespace Stagecast.WebRtc.Whep;

/// <summary>
/// A stream's H.264 for all its WHEP viewers of the hub's frames: one reader, and each frame packetized once. Each
/// viewer then only writes its own header fields (payload type, SSRC, sequence number, timestamp) in front of the
/// shared payloads and protects the packet with its own keys, straight into a <see cref="UdpBatch"/>, so a frame
/// leaves for many viewers in a few <c>sendmmsg</c> calls. Viewers are spread over one shard per core, each a worker
/// with its own bounded queue of packetized frames and its own batch: shards never wait for one another, and a shard
/// that falls behind drops frames and resumes its viewers at the next keyframe. The stream's reader is bounded too
/// (UDP does not push back per viewer, so falling behind is the fan-out's own, never the ingest's).
/// </summary>
public sealed class HubVideoFanout : IDisposable
{
    public const int MaxPayload = 1200;

    private readonly HubStream _stream;
    private readonly CancellationTokenSource _stop = new();
    private readonly Shard[] _shards;
    private readonly HubStreamReader _reader;
    private VideoTrackConfig? _config;
    private byte[] _sps = [];
    private byte[] _pps = [];

    internal HubVideoFanout(HubStream stream, WebRtcTransport transport)
    {
        _stream = stream;
        _shards = new Shard[Environment.ProcessorCount];
        for (int i = 0; i < _shards.Length; i++)
        {
            _shards[i] = new Shard(stream, transport, _stop.Token);
        }

        _reader = stream.AddReader("whep-fanout", new ReaderOptions { MaxQueuedFrames = 256, MaxQueuedBytes = 4 * 1024 * 1024, StartWithCachedGop = false });
        _ = Task.Run(PumpAsync);
    }

    /// <summary>Adds the viewer to the shard with the fewest.</summary>
    internal void Add(HubWhepSession viewer)
    {
        lock (_shards)
        {
            _shards.MinBy(s => s.Count)!.Add(viewer);
        }
    }

    /// <summary>Removes the viewer; the number left.</summary>
    internal int Remove(HubWhepSession viewer)
    {
        lock (_shards)
        {
            foreach (var shard in _shards)
            {
                shard.Remove(viewer);
            }

            return _shards.Sum(s => s.Count);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _reader.Dispose();
    }

    private async Task PumpAsync()
    {
        try
        {
            while (await _reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                while (_reader.TryRead(out var frame))
                {
                    try
                    {
                        if (frame.Kind == MediaFrameKind.Video)
                        {
                            Packetize(frame);
                        }
                        else if (frame.Kind == MediaFrameKind.StreamEnded)
                        {
                            CloseAll("the stream ended");
                        }
                    }
                    finally
                    {
                        frame.Release();
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        CloseAll("the stream ended");
    }

    private void Packetize(MediaFrame frame)
    {
        if (_stream.Video is not { } config)
        {
            return;
        }

        if (frame.CompositionOffset != 0)
        {
            CloseAll("the stream's H.264 has B-frames, which WebRTC cannot carry");
            return;
        }

        if (!ReferenceEquals(config, _config))
        {
            var avcc = AvcDecoderConfigurationRecord.Parse(config.ConfigurationRecord);
            _sps = avcc.SequenceParameterSets.Count > 0 ? avcc.SequenceParameterSets[0] : [];
            _pps = avcc.PictureParameterSets.Count > 0 ? avcc.PictureParameterSets[0] : [];
            _config = config;
        }

        int busy = _shards.Count(s => s.Count > 0);
        if (busy == 0)
        {
            return;
        }

        var packets = PacketizedFrame.Rent(frame, _sps.Length + _pps.Length, busy);
        H264RtpPacketizer.Packetize(frame.Span, config.NalLengthSize, MaxPayload, frame.IsKeyframe ? _sps : [], frame.IsKeyframe ? _pps : [], frame.IsKeyframe, packets.Collect);
        int handed = 0;
        foreach (var shard in _shards)
        {
            if (shard.Count > 0 && handed < busy)
            {
                shard.Offer(packets);
                handed++;
            }
        }

        for (; handed < busy; handed++)
        {
            packets.Release(); // a shard emptied meanwhile
        }
    }

    private void CloseAll(string reason)
    {
        foreach (var shard in _shards)
        {
            shard.CloseAll(reason);
        }
    }

    /// <summary>Some of the viewers, served by a worker of their own.</summary>
    private sealed class Shard
    {
        private const int MaxQueuedFrames = 64;

        private readonly HubStream _stream;
        private readonly WebRtcTransport _transport;
        private readonly Channel<PacketizedFrame> _frames = Channel.CreateBounded<PacketizedFrame>(
            new BoundedChannelOptions(MaxQueuedFrames) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        private HubWhepSession[] _viewers = [];
        private volatile bool _dropped;

        public Shard(HubStream stream, WebRtcTransport transport, CancellationToken stop)
        {
            _stream = stream;
            _transport = transport;
            _ = Task.Run(() => RunAsync(stop), CancellationToken.None); // runs even if stopped already: it releases what is queued
        }

        public int Count => Volatile.Read(ref _viewers).Length;

        public void Add(HubWhepSession viewer) => _viewers = [.. _viewers, viewer];

        public void Remove(HubWhepSession viewer) => _viewers = Array.FindAll(_viewers, v => v != viewer);

        /// <summary>Queues a frame for this shard's viewers; when the queue is full the frame is dropped for them, and they resume at a keyframe.</summary>
        public void Offer(PacketizedFrame frame)
        {
            if (!_frames.Writer.TryWrite(frame))
            {
                frame.Release();
                _dropped = true;
            }
        }

        public void CloseAll(string reason)
        {
            foreach (var viewer in Volatile.Read(ref _viewers))
            {
                viewer.Close(reason);
            }
        }

        private async Task RunAsync(CancellationToken stop)
        {
            using var batch = _transport.CreateBatch();
            try
            {
                while (await _frames.Reader.WaitToReadAsync(stop).ConfigureAwait(false))
                {
                    while (_frames.Reader.TryRead(out var frame))
                    {
                        try
                        {
                            Send(frame, batch);
                        }
                        finally
                        {
                            frame.Release();
                        }
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }

            while (_frames.Reader.TryRead(out var left))
            {
                left.Release();
            }
        }

        /// <summary>The frame to each viewer through the batch; the hub → viewer delay recorded as each batch leaves.</summary>
        private void Send(PacketizedFrame frame, UdpBatch batch)
        {
            var viewers = Volatile.Read(ref _viewers);
            if (_dropped)
            {
                _dropped = false;
                foreach (var viewer in viewers)
                {
                    viewer.AwaitKeyframe();
                }

                _stream.RequestKeyframe();
            }

            int sent = 0;
            for (int i = 0; i < viewers.Length; i++)
            {
                if (viewers[i].SendVideo(frame, batch))
                {
                    sent++;
                }

                if (batch.Count >= UdpBatch.Capacity / 2 || i == viewers.Length - 1)
                {
                    batch.Flush();
                    double delay = _transport.Time.GetElapsedTime(frame.ReceivedAt).TotalSeconds;
                    for (; sent > 0; sent--)
                    {
                        WebRtcMetrics.HubDelay.Record(delay);
                    }
                }
            }
        }
    }
}

/// <summary>
/// One access unit's RTP payloads, packetized once for every viewer: the bytes back to back (a pooled buffer), and
/// where each packet's are. Shared by the shards that send it; the last to release it returns it to the pool.
/// </summary>
public sealed class PacketizedFrame
{
    private static readonly ConcurrentBag<PacketizedFrame> Pool = [];
    private readonly List<(int Offset, int Length, bool Marker)> _packets = [];
    private byte[] _payloads = [];
    private int _used;
    private int _references;

    private PacketizedFrame()
    {
        Collect = Add;
    }

    /// <summary>The frame's time on the stream's timeline (milliseconds).</summary>
    public long Timestamp { get; private set; }

    public bool IsKeyframe { get; private set; }

    /// <summary>When the hub received the frame (<see cref="TimeProvider.GetTimestamp"/>).</summary>
    public long ReceivedAt { get; private set; }

    public int Count => _packets.Count;

    /// <summary>Where the packetizer puts the payloads.</summary>
    internal H264RtpPacketizer.PayloadHandler Collect { get; }

    /// <summary>The <paramref name="index"/>th packet's payload and marker bit.</summary>
    public ReadOnlySpan<byte> Payload(int index, out bool marker)
    {
        var (offset, length, last) = _packets[index];
        marker = last;
        return _payloads.AsSpan(offset, length);
    }

    internal static PacketizedFrame Rent(MediaFrame frame, int parameterSetBytes, int references)
    {
        var packets = Pool.TryTake(out var pooled) ? pooled : new PacketizedFrame();
        packets.Timestamp = frame.Timestamp;
        packets.IsKeyframe = frame.IsKeyframe;
        packets.ReceivedAt = frame.ReceivedAt;
        packets._references = references;
        // Payloads add a few header bytes per packet to the access unit (FU-A, STAP-A).
        packets._payloads = ArrayPool<byte>.Shared.Rent(frame.Span.Length + parameterSetBytes + 16 * (frame.Span.Length / (HubVideoFanout.MaxPayload - 16) + 4));
        return packets;
    }

    internal void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            ArrayPool<byte>.Shared.Return(_payloads);
            _payloads = [];
            _packets.Clear();
            _used = 0;
            Pool.Add(this);
        }
    }

    private void Add(ReadOnlySpan<byte> payload, bool marker)
    {
        if (_used + payload.Length > _payloads.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_used + payload.Length, 2 * _payloads.Length));
            _payloads.AsSpan(0, _used).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_payloads);
            _payloads = larger;
        }

        payload.CopyTo(_payloads.AsSpan(_used));
        _packets.Add((_used, payload.Length, marker));
        _used += payload.Length;
    }
}

/// <summary>At most one <see cref="HubVideoFanout"/> per stream, made for its first WHEP viewer of the hub's frames and stopped after its last.</summary>
public sealed class HubVideoFanouts
{
    private readonly Dictionary<HubStream, HubVideoFanout> _fanouts = [];

    internal void Subscribe(HubStream stream, WebRtcTransport transport, HubWhepSession viewer)
    {
        lock (_fanouts)
        {
            if (!_fanouts.TryGetValue(stream, out var fanout))
            {
                _fanouts[stream] = fanout = new HubVideoFanout(stream, transport);
            }

            fanout.Add(viewer);
        }
    }

    internal void Unsubscribe(HubStream stream, HubWhepSession viewer)
    {
        lock (_fanouts)
        {
            if (_fanouts.TryGetValue(stream, out var fanout) && fanout.Remove(viewer) == 0)
            {
                _fanouts.Remove(stream);
                fanout.Dispose();
            }
        }
    }
}
