using Stagecast.Rtmp.Client;
using Stagecast.Rtmp.Egress;
using Stagecast.Streaming;

namespace Stagecast.Restream;

/// <summary>Reading the stream and sending it: sequence headers first, then media as FLV tag bodies (<see cref="FlvEgress"/>).</summary>
public sealed partial class RestreamWorker
{
    /// <summary>Sends until the stream ends (true) or the connection fails (throws). Cancelled when stopped.</summary>
    private async Task<bool> PumpAsync(RtmpPublishClient client, CancellationToken stop)
    {
        // A fresh reader per connection starts at the newest keyframe, not at what queued while disconnected.
        using var reader = _source.AddReader(_name, new ReaderOptions
        {
            MaxQueuedBytes = _options.MaxQueuedBytes,
            MaxQueuedFrames = _options.MaxQueuedFrames,
            StartWithCachedGop = true,
        });
        using var sendTimeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        Volatile.Write(ref _client, client);
        Volatile.Write(ref _reader, reader);
        var flv = new FlvEgress();
        var timeline = new ConnectionTimeline();
        try
        {
            while (await reader.WaitToReadAsync(stop).ConfigureAwait(false))
            {
                while (reader.TryRead(out var frame))
                {
                    try
                    {
                        if (frame.Kind == MediaFrameKind.StreamEnded)
                        {
                            return true;
                        }

                        sendTimeout.CancelAfter(_options.SendTimeout);
                        if (flv.TryPackage(frame, out var tag))
                        {
                            await client.SendAsync(timeline.Of(frame), tag, sendTimeout.Token).ConfigureAwait(false);
                        }

                        sendTimeout.CancelAfter(Timeout.InfiniteTimeSpan);
                    }
                    catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                    {
                        throw new TimeoutException($"the destination accepted nothing for {_options.SendTimeout.TotalSeconds} s");
                    }
                    finally
                    {
                        frame.Release();
                    }
                }

                if (client.Completion.IsFaulted)
                {
                    await client.Completion.ConfigureAwait(false); // the destination closed or refused: rethrow its reason
                }
            }

            return true; // the reader completed: the stream ended
        }
        finally
        {
            // Fold this connection's counters into the totals. Detaching first means a concurrent State read may
            // count low for an instant, never twice.
            Volatile.Write(ref _client, null);
            Volatile.Write(ref _reader, null);
            Interlocked.Add(ref _bytesSentBefore, client.BytesSent);
            Interlocked.Add(ref _droppedBefore, reader.DroppedFrames);
        }
    }

    /// <summary>
    /// Each connection's timeline starts at zero at its first media frame; configuration and metadata carry the
    /// last timestamp sent, so the destination never sees time go back.
    /// </summary>
    private sealed class ConnectionTimeline
    {
        private long? _base;
        private uint _last;

        public uint Of(MediaFrame frame)
        {
            if (frame.IsMedia)
            {
                _base ??= frame.Timestamp;
                _last = (uint)Math.Max(_last, Math.Max(0, frame.Timestamp - _base.Value));
                return (uint)Math.Max(0, frame.Timestamp - _base.Value);
            }

            return _last;
        }
    }
}
