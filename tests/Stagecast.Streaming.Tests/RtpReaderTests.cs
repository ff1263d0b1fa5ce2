using Microsoft.Extensions.Time.Testing;
using Stagecast.Testing;

namespace Stagecast.Streaming.Tests;

/// <summary>RTP beside frames: a WebRTC publisher's packets reach the stream's RTP readers as they came, and every reader is in one list.</summary>
public sealed class RtpReaderTests
{
    private readonly StreamHub _hub = TestHub.Create(new FakeTimeProvider(), new StreamHubOptions { ReconnectWindow = TimeSpan.FromSeconds(30) });

    [Fact]
    public void PacketsAndSenderReportsReachRtpReadersAndTheyAreCountedWithTheOthers()
    {
        Assert.Equal(PublishResult.Started, _hub.TryPublish("s", new PublisherInfo("webrtc", "127.0.0.1:1"), out var publisher));
        var stream = publisher!.Stream;
        publisher.SetRtpFormats(new RtpTrackFormat("VP8", 90000, 0, ""), new RtpTrackFormat("opus", 48000, 2, "minptime=10;useinbandfec=1"));
        Assert.Equal("VP8", stream.RtpVideo!.EncodingName);

        var viewer = new RecordingSink();
        using var viewing = stream.AddRtpReader("whep", viewer, new ReaderOptions { IsViewer = true });
        using var output = stream.AddReader("restream");
        publisher.WriteRtp([0x80, 0x60, 0x00, 0x01], video: true);
        publisher.WriteRtp([0x80, 0x6f, 0x00, 0x01], video: false);
        publisher.WriteSenderReport(video: true, ntpTime: 42, rtpTimestamp: 7);

        Assert.Equal(["video 80600001", "audio 806f0001", "report video 42 7"], viewer.Events);
        Assert.Equal(2, stream.Readers.Count); // who reads this stream: both kinds, in one list
        Assert.Equal(1, stream.Viewers);

        viewing.Dispose();
        publisher.WriteRtp([0x80, 0x60, 0x00, 0x02], video: true);
        Assert.Equal(3, viewer.Events.Count); // detached
        Assert.Single(stream.Readers);
    }

    [Fact]
    public void WhenTheRtpPublisherGoesItsReadersAreToldAndItsFormatsCleared()
    {
        _hub.TryPublish("s", new PublisherInfo("webrtc", "127.0.0.1:1"), out var first);
        var stream = first!.Stream;
        first.SetRtpFormats(new RtpTrackFormat("H264", 90000, 0, "packetization-mode=1"), null);
        var viewer = new RecordingSink();
        using var viewing = stream.AddRtpReader("whep", viewer);

        first.Dispose(); // dropped: the stream waits for a reconnect
        Assert.Null(stream.RtpVideo);
        Assert.Equal(["source changed"], viewer.Events);

        _hub.TryPublish("s", new PublisherInfo("webrtc", "127.0.0.1:2"), out var second);
        second!.WriteRtp([0x80, 0x60, 0x00, 0x09], video: true);
        first.WriteRtp([0x80, 0x60, 0x00, 0x08], video: true); // the old publisher's late packet is not passed on
        Assert.Equal(["source changed", "video 80600009"], viewer.Events);
    }

    [Fact]
    public void ASinkThatThrowsIsDetachedAndThePublisherCarriesOn()
    {
        _hub.TryPublish("s", new PublisherInfo("webrtc", "127.0.0.1:1"), out var publisher);
        var stream = publisher!.Stream;
        var good = new RecordingSink();
        using var broken = stream.AddRtpReader("broken", new RecordingSink { Throws = true });
        using var working = stream.AddRtpReader("working", good);

        publisher.WriteRtp([0x80, 0x60, 0x00, 0x01], video: true);
        publisher.WriteRtp([0x80, 0x60, 0x00, 0x02], video: true);
        Assert.Equal(2, good.Events.Count);
        Assert.Single(stream.Readers);
    }

    private sealed class RecordingSink : IRtpSink
    {
        public List<string> Events { get; } = [];

        public bool Throws { get; init; }

        public void OnRtp(ReadOnlySpan<byte> packet, bool video)
        {
            if (Throws)
            {
                throw new InvalidOperationException("broken sink");
            }

            Events.Add($"{(video ? "video" : "audio")} {Hex.Of(packet)}");
        }

        public void OnSenderReport(bool video, ulong ntpTime, uint rtpTimestamp) => Events.Add($"report {(video ? "video" : "audio")} {ntpTime} {rtpTimestamp}");

        public void OnRtpSourceChanged() => Events.Add("source changed");
    }
}
