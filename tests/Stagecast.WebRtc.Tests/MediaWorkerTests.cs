using Stagecast.Streaming;
using Stagecast.Testing;
using Stagecast.WebRtc.Transport;

namespace Stagecast.WebRtc.Tests;

/// <summary>
/// A publisher's RTP is forwarded on a media worker, not on the UDP socket's thread: forwarding that stalls keeps no
/// one else's handshake waiting, and what its worker cannot hold is dropped, counted, and never reordered.
/// </summary>
public sealed class MediaWorkerTests : IAsyncLifetime
{
    private InProcessWebRtc _rtc = null!;

    public async Task InitializeAsync() => _rtc = await InProcessWebRtc.StartAsync();

    public async Task DisposeAsync() => await _rtc.DisposeAsync();

    [Fact]
    public async Task AStalledForwardDelaysNoHandshakeAndDropsOnlyWhatItsQueueCannotHold()
    {
        var (publisher, _) = await _rtc.PublishAsync("live-1");
        var stream = await Eventually.MatchAsync(() => _rtc.Hub.Find("live-1"), s => s?.RtpVideo is not null, "the WHIP publisher's stream in the hub");
        using var sink = new StallingSink();
        using var reader = stream!.AddRtpReader("stalling", sink);

        publisher.SendRtp(TestRtp.Video(1000, keyframe: true, tag: 0));
        await Eventually.TrueAsync(() => sink.Stalled, "the forward to stall in the first packet");

        // The publisher goes on: its worker holds what it can, the rest is dropped and counted.
        int sent = MediaWorker.Capacity + 100;
        for (int i = 1; i < sent; i++)
        {
            publisher.SendRtp(TestRtp.Video((ushort)(1000 + i), keyframe: false, tag: i));
        }

        await Eventually.TrueAsync(() => _rtc.Transport.MediaDropped >= sent - MediaWorker.Capacity, "the packets its worker cannot hold to be dropped");

        // Meanwhile the port answers another peer's ICE and DTLS: a viewer connects while the forward is stuck.
        var (_, viewer) = await _rtc.WatchAsync(stream);
        Assert.True(viewer.IsConnected);
        Assert.Equal([0], sink.Tags); // still stuck in the first

        sink.Release();
        long dropped = _rtc.Transport.MediaDropped;
        await Eventually.TrueAsync(() => sink.Tags.Count + dropped == sent, "every packet the worker held to be forwarded once released");
        Assert.Equal(Enumerable.Range(0, sent - (int)dropped), sink.Tags); // the first ones, in the order sent
        Assert.Equal(MediaWorker.Capacity, sink.Tags.Count);
    }

    /// <summary>A subscriber whose first packet blocks until released.</summary>
    private sealed class StallingSink : IRtpSink, IDisposable
    {
        private readonly ManualResetEventSlim _gate = new();
        private readonly List<int> _tags = [];
        private volatile bool _stalled;

        public bool Stalled => _stalled;

        public IReadOnlyList<int> Tags
        {
            get
            {
                lock (_tags)
                {
                    return [.. _tags];
                }
            }
        }

        public void Release() => _gate.Set();

        public void OnRtp(ReadOnlySpan<byte> packet, bool video)
        {
            lock (_tags)
            {
                _tags.Add(TestRtp.Tag(packet));
            }

            _stalled = true;
            _gate.Wait();
        }

        public void OnSenderReport(bool video, ulong ntpTime, uint rtpTimestamp)
        {
        }

        public void OnRtpSourceChanged()
        {
        }

        public void Dispose()
        {
            _gate.Set();
            _gate.Dispose();
        }
    }
}
