using Microsoft.Extensions.Logging.Abstractions;
using Stagecast.Media.Rtp;
using Stagecast.Streaming;
using Stagecast.Testing;
using Stagecast.Testing.WebRtc;
using Stagecast.WebRtc.Rtcp;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Sfu;
using Stagecast.WebRtc.Whep;

namespace Stagecast.WebRtc.Tests;

/// <summary>
/// A consumer going from one simulcast layer of a camera to another (<see cref="SfuConsumer"/>), in process: the layers
/// are hub streams written RTP as a WebRTC publisher's would be, the subscriber is Stagecast's own client, on a receive
/// transport whose plan is given by hand (<see cref="SfuConsumer.Allocate"/>), or on a WHEP subscription
/// (<see cref="ForwardingWhepSession"/>) that follows the layers as they stop and start on the server's clock.
/// </summary>
public sealed class SfuLayerSwitchTests : IAsyncLifetime
{
    private InProcessWebRtc _rtc = null!;

    public async Task InitializeAsync() => _rtc = await InProcessWebRtc.StartAsync();

    public async Task DisposeAsync() => await _rtc.DisposeAsync();

    /// <summary>
    /// Make before break: while the next layer's keyframe is on its way, the subscriber goes on getting the layer it
    /// had, so a switch freezes nothing; the keyframe's first packet switches, in one numbering. A change of plan
    /// before that keyframe came leaves the switch, and the layer's keyframe then switches nothing.
    /// </summary>
    [Fact]
    public async Task TheLayerItHadIsForwardedUntilTheNextLayersKeyframeComes()
    {
        var full = new Layer(_rtc.Hub, "meeting/ada/camera");
        var quarter = new Layer(_rtc.Hub, "meeting/ada/camera/q");
        var (client, session) = await _rtc.ConnectAsync((negotiate, certificate) => WhepClient.ConnectAsync(negotiate, certificate), offer =>
        {
            var media = SfuTransportNegotiation.Answer(offer, new PublishPolicy(PreferVp8: false, AudioLevels: true), []).Media;
            return (new SfuReceiveSession(_rtc.Transport, offer, media, InProcessWebRtc.ClientAddress), media);
        });
        var received = new ReceivedPackets(client);
        var camera = session.Add(full.Stream, video: true, session.ReceivingCodec("video", "H264")!, "ada camera")!;
        camera.Read([full.Stream, quarter.Stream]);
        session.Start(SdpSessionDescription.Parse(session.Offer())); // (the offer stands in for the client's answer)
        Assert.Equal(1, full.KeyframesAsked);

        full.Send(keyframe: true, tag: 0);
        full.Send(keyframe: false, tag: 1);
        await ReceivedAsync(received, [0, 1]);

        // The plan goes to the quarter layer and back before its keyframe came: nothing switches.
        camera.Allocate(quarter.Stream);
        Assert.Equal((1, quarter.Stream), (quarter.KeyframesAsked, camera.SwitchingTo));
        camera.Allocate(full.Stream);
        Assert.Null(camera.SwitchingTo);
        quarter.Send(keyframe: true, tag: 50);
        full.Send(keyframe: false, tag: 2);
        await ReceivedAsync(received, [0, 1, 2]);

        // To the quarter layer: the full one goes on until the quarter's keyframe, which switches.
        camera.Allocate(quarter.Stream);
        Assert.Equal(2, quarter.KeyframesAsked);
        quarter.Send(keyframe: false, tag: 100);
        full.Send(keyframe: false, tag: 3);
        await ReceivedAsync(received, [0, 1, 2, 3]);
        Assert.Same(full.Stream, camera.Reading);
        quarter.Send(keyframe: true, tag: 101);
        full.Send(keyframe: false, tag: 4);
        quarter.Send(keyframe: false, tag: 102);
        await ReceivedAsync(received, [0, 1, 2, 3, 101, 102]);
        Assert.Equal((quarter.Stream, null, 1L, 1L), (camera.Reading, camera.SwitchingTo, camera.LayerSwitches, _rtc.Transport.LayerSwitches));
        Assert.DoesNotContain(full.Stream.Readers, r => r.Name.StartsWith("sfu-", StringComparison.Ordinal));

        // One numbering throughout, as one track.
        var sequences = received.Video.Select(p => RtpHeader.SequenceNumber(p)).ToList();
        Assert.All(sequences.Skip(1).Zip(sequences), pair => Assert.Equal((ushort)(pair.Second + 1), pair.First));
    }

    /// <summary>
    /// A meeting WHEP viewer of a simulcast camera reads its full layer while that flows, the next that flows once it
    /// stopped for a second (make before break: at that layer's keyframe), and the full one again once it is back; the
    /// viewer's PLI asks the layer it reads for a keyframe, not the full one.
    /// </summary>
    [Fact]
    public async Task AWhepViewerOfASimulcastCameraReadsTheLayerThatFlows()
    {
        var full = new Layer(_rtc.Hub, "meeting/ada/camera");
        var quarter = new Layer(_rtc.Hub, "meeting/ada/camera/q");
        var (client, session) = await _rtc.ConnectAsync((negotiate, certificate) => WhepClient.ConnectAsync(negotiate, certificate), offer =>
        {
            var negotiation = WhepNegotiation.ChooseForSubscriber(offer, full.Stream, audio: false);
            return (new ForwardingWhepSession(_rtc.Transport, offer, negotiation, InProcessWebRtc.ClientAddress, full.Stream, NullLogger.Instance,
                [full.Stream, quarter.Stream]), negotiation.Media);
        });
        var received = new ReceivedPackets(client);
        var camera = session.Video!;
        await Eventually.TrueAsync(() => camera.IsReading, "the subscription to read the camera");
        full.Send(keyframe: true, tag: 0);
        quarter.Send(keyframe: true, tag: 100);
        full.Send(keyframe: false, tag: 1);
        await ReceivedAsync(received, [0, 1]);

        // The full layer stops (its sender's estimate fell, say); the quarter goes on. A second later the viewer is
        // switched to it, at its keyframe, asked for then.
        _rtc.Clock.Advance(TimeSpan.FromSeconds(1));
        quarter.Send(keyframe: false, tag: 101);
        int asked = quarter.KeyframesAsked;
        _rtc.Clock.Advance(SubscriberDownlink.LayerCheck);
        Assert.Equal((quarter.Stream, asked + 1), (camera.SwitchingTo, quarter.KeyframesAsked));
        quarter.Send(keyframe: true, tag: 102);
        quarter.Send(keyframe: false, tag: 103);
        await ReceivedAsync(received, [0, 1, 102, 103]);
        Assert.Same(quarter.Stream, camera.Reading);

        // The viewer's PLI goes to the layer it reads.
        var pli = new byte[12];
        RtcpWriter.Pli(pli, 0x33333333, session.Negotiation.VideoSsrc);
        client.SendRtcp(pli);
        await Eventually.TrueAsync(() => quarter.KeyframesAsked == asked + 2, "the viewer's PLI at the quarter layer's publisher");

        // The full layer is back: the viewer goes back to it at its keyframe, in one numbering throughout.
        full.Send(keyframe: false, tag: 2);
        _rtc.Clock.Advance(SubscriberDownlink.LayerCheck);
        Assert.Same(full.Stream, camera.SwitchingTo);
        full.Send(keyframe: true, tag: 3);
        await ReceivedAsync(received, [0, 1, 102, 103, 3]);
        Assert.Equal((full.Stream, 2L), (camera.Reading, camera.LayerSwitches));
        var sequences = received.Video.Select(p => RtpHeader.SequenceNumber(p)).ToList();
        Assert.All(sequences.Skip(1).Zip(sequences), pair => Assert.Equal((ushort)(pair.Second + 1), pair.First));
    }

    private static async Task ReceivedAsync(ReceivedPackets received, int[] tags)
    {
        var seen = await Eventually.MatchAsync(() => ReceivedPackets.Tags(received.Video), t => t.Count >= tags.Length,
            $"the pictures tagged {string.Join(", ", tags)}", describe: t => $"tagged {string.Join(", ", t)}");
        Assert.Equal(tags, seen);
    }

    /// <summary>A simulcast layer: a hub stream its publisher writes RTP video to, counting the keyframes asked of it.</summary>
    private sealed class Layer
    {
        private readonly Publisher _publisher;
        private ushort _sequence;
        private int _keyframesAsked;

        public Layer(StreamHub hub, string id)
        {
            Assert.Equal(PublishResult.Started, hub.TryPublish(id, new PublisherInfo("whip", InProcessWebRtc.ClientAddress), out var publisher));
            _publisher = publisher!;
            _publisher.SetRtpFormats(new RtpTrackFormat("H264", 90000, 0, "packetization-mode=1"), null);
            _publisher.KeyframeRequested = () => Interlocked.Increment(ref _keyframesAsked);
            _sequence = (ushort)Random.Shared.Next(ushort.MaxValue);
        }

        public HubStream Stream => _publisher.Stream;

        public int KeyframesAsked => Volatile.Read(ref _keyframesAsked);

        public void Send(bool keyframe, int tag) => _publisher.WriteRtp(TestRtp.Video(_sequence++, keyframe, tag), video: true);
    }
}
