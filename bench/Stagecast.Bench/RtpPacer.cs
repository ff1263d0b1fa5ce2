using Stagecast.Media.Rtp;
using Stagecast.Testing.WebRtc;
using Stagecast.WebRtc.Rtcp;

namespace Stagecast.Bench;

/// <summary>
/// Sends the clip's packets for every publisher at the pace they were recorded, each with its own SSRCs and numbers.
/// A publisher asked for a keyframe (a PLI: a new subscriber, a loss) sends the clip's next keyframe as its next
/// picture, as a browser's encoder makes its next picture one, rather than leaving the subscriber to wait up to the
/// clip's keyframe interval; its timestamps go on as before.
/// </summary>
internal sealed class RtpPacer : IAsyncDisposable
{
    private readonly RtpClip _clip;
    private readonly List<Source> _streams = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public RtpPacer(RtpClip clip)
    {
        _clip = clip;
        _loop = Task.Run(RunAsync);
    }

    public void Add(WhipClient client)
    {
        var source = new Source(client, System.Diagnostics.Stopwatch.GetTimestamp());
        client.RtcpReceived = compound =>
        {
            var reader = new RtcpReader(compound);
            while (reader.TryRead(out var rtcp))
            {
                source.KeyframeWanted |= rtcp.IsPli;
            }
        };
        lock (_streams)
        {
            _streams.Add(source);
        }
    }

    /// <summary>Stops sending for <paramref name="client"/> (its session is about to end).</summary>
    public void Remove(WhipClient client)
    {
        lock (_streams)
        {
            _streams.RemoveAll(s => s.Client == client);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
    }

    private async Task RunAsync()
    {
        var packet = new byte[1500];
        while (!_stop.IsCancellationRequested)
        {
            Source[] streams;
            lock (_streams)
            {
                streams = [.. _streams];
            }

            foreach (var stream in streams)
            {
                double elapsedMs = System.Diagnostics.Stopwatch.GetElapsedTime(stream.Started).TotalMilliseconds;
                while (stream.NextVideoMs(_clip) <= elapsedMs)
                {
                    uint frameMs = _clip.Frames[stream.Frame % _clip.Frames.Count].Ms;
                    uint timestamp = (uint)(((stream.Frame / _clip.Frames.Count * (long)_clip.LoopMs) + frameMs) * 90);
                    if (stream.KeyframeWanted)
                    {
                        stream.KeyframeWanted = false;
                        stream.Picture = _clip.NextKeyframe(stream.Picture);
                    }

                    var payloads = _clip.Frames[stream.Picture].Packets;
                    stream.Picture = (stream.Picture + 1) % _clip.Frames.Count;
                    foreach (var (payload, marker) in payloads)
                    {
                        RtpHeader.Write(packet, marker, WhipClient.VideoPayloadType, stream.VideoSequence++, timestamp, stream.VideoSsrc);
                        payload.CopyTo(packet, RtpHeader.FixedLength);
                        stream.Client.SendRtp(packet.AsSpan(0, RtpHeader.FixedLength + payload.Length));
                    }

                    stream.Frame++;
                }

                while (stream.AudioPackets * 20 <= elapsedMs)
                {
                    RtpHeader.Write(packet, false, WhipClient.AudioPayloadType, stream.AudioSequence++, (uint)(stream.AudioPackets * 960), stream.AudioSsrc);
                    _clip.AudioPayload.CopyTo(packet, RtpHeader.FixedLength);
                    stream.Client.SendRtp(packet.AsSpan(0, RtpHeader.FixedLength + _clip.AudioPayload.Length));
                    stream.AudioPackets++;
                }
            }

            try
            {
                await Task.Delay(5, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private sealed class Source(WhipClient client, long started)
    {
        private volatile bool _keyframeWanted;

        public WhipClient Client { get; } = client;

        public long Started { get; } = started;

        public uint VideoSsrc { get; } = (uint)Random.Shared.Next(1, int.MaxValue);

        public uint AudioSsrc { get; } = (uint)Random.Shared.Next(1, int.MaxValue);

        public ushort VideoSequence { get; set; }

        public ushort AudioSequence { get; set; }

        /// <summary>Pictures sent: their times and timestamps are those of the clip played in a loop.</summary>
        public int Frame { get; set; }

        /// <summary>The clip's picture sent next: <see cref="Frame"/>'s, unless a keyframe was sent early.</summary>
        public int Picture { get; set; }

        /// <summary>Set by the receive thread on a PLI, taken by the sending loop.</summary>
        public bool KeyframeWanted
        {
            get => _keyframeWanted;
            set => _keyframeWanted = value;
        }

        public long AudioPackets { get; set; }

        public double NextVideoMs(RtpClip clip) => (Frame / clip.Frames.Count * (double)clip.LoopMs) + clip.Frames[Frame % clip.Frames.Count].Ms;
    }
}
