using Stagecast.Streaming;
using Stagecast.WebRtc.Ice;
using Stagecast.WebRtc.Rtp;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Sfu;

namespace Stagecast.WebRtc.Tests;

/// <summary>
/// The offers Stagecast writes on RealtimeKit's receive transport: after the client's first offer (two placeholder
/// m-lines, answered), each consumer is a sendonly m-line of its own with the mid, SSRC and msid the server gave it;
/// a closed one keeps its place (port 0) until a new consumer takes it under a new mid.
/// </summary>
public sealed class SdpOfferTests : IAsyncLifetime
{
    private const string ClientOffer =
        "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\na=msid-semantic: WMS\r\n" +
        "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n" + Transport + "a=mid:0\r\na=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n" +
        "a=sendonly\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n" +
        "m=video 9 UDP/TLS/RTP/SAVPF 96 102\r\nc=IN IP4 0.0.0.0\r\n" + Transport + "a=mid:1\r\na=sendonly\r\na=rtcp-mux\r\n" +
        "a=rtpmap:96 VP8/90000\r\na=rtpmap:102 H264/90000\r\na=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n";

    private const string Transport =
        "a=ice-ufrag:d1wb\r\na=ice-pwd:n1tfU9bZEpqCWg4NsCZeTztL\r\n" +
        "a=fingerprint:sha-256 48:A7:72:21:9F:0C:83:C5:F4:38:D1:ED:CA:3B:FB:85:D2:08:BD:3F:60:66:96:45:8F:F2:38:C8:87:B7:7F:95\r\na=setup:actpass\r\n";

    private InProcessWebRtc _rtc = null!;
    private Publisher _publisher = null!;
    private HubStream _stream = null!;
    private SfuReceiveSession _session = null!;

    public async Task InitializeAsync()
    {
        _rtc = await InProcessWebRtc.StartAsync();
        _rtc.Hub.TryPublish("meeting/peer/camera", new PublisherInfo("whip", InProcessWebRtc.ClientAddress), out var publisher);
        (_publisher, _stream) = (publisher!, publisher!.Stream);
        var offer = SdpSessionDescription.Parse(ClientOffer);
        _session = new SfuReceiveSession(_rtc.Transport, offer, SfuTransportNegotiation.Answer(offer, new PublishPolicy(PreferVp8: true, AudioLevels: true), []).Media,
            InProcessWebRtc.ClientAddress);
    }

    [Fact]
    public void AnOfferWithoutConsumersRestatesTheFirstAnswerAsTheOfferer()
    {
        var offer = SdpSessionDescription.Parse(_session.Offer());

        Assert.Equal(["0", "1"], offer.Media.Select(m => m.Mid));
        Assert.Equal(["recvonly", "recvonly"], offer.Media.Select(m => m.Direction));
        Assert.Equal("actpass", offer.Setup);
        Assert.Equal(_session.Ice.Credentials.Ufrag, offer.IceUfrag);
        Assert.Equal(111, Assert.Single(offer.Media[0].Codecs.Values).PayloadType);
        Assert.Equal(1, offer.Media[0].Extensions["urn:ietf:params:rtp-hdrext:ssrc-audio-level"]);
        Assert.Empty(offer.Media[1].Extensions);
    }

    [Fact]
    public void EachConsumerIsASendonlyMLineWithItsMidSsrcAndMsidInTheClientsPayloadTypes()
    {
        var audio = _session.Add(_stream, video: false, _session.ReceivingCodec("audio", "opus")!, "peer producer-a")!;
        var video = _session.Add(_stream, video: true, _session.ReceivingCodec("video", "VP8")!, "peer producer-v")!;
        string sdp = _session.Offer();
        var offer = SdpSessionDescription.Parse(sdp);

        Assert.Equal(["2", "3"], new[] { audio.Mid, video.Mid });
        Assert.Equal(["0", "1", "2", "3"], offer.Media.Select(m => m.Mid));
        Assert.Equal(["recvonly", "recvonly", "sendonly", "sendonly"], offer.Media.Select(m => m.Direction));
        Assert.Equal([audio.Ssrc], offer.Media[2].Ssrcs);
        Assert.Equal([video.Ssrc], offer.Media[3].Ssrcs);
        Assert.Equal("VP8", Assert.Single(offer.Media[3].Codecs.Values).Name);
        Assert.Equal(96, offer.Media[3].Codecs.Values.Single().PayloadType);
        Assert.Contains("a=msid:peer producer-v\r\n", sdp);
        Assert.Contains($"a=ssrc:{video.Ssrc} msid:peer producer-v\r\n", sdp);
        Assert.Contains("a=group:BUNDLE 0 1 2 3\r\n", sdp);
        Assert.Contains("a=rtcp-fb:96 nack pli\r\n", sdp);
        Assert.StartsWith("v=0\r\no=- ", sdp);
        Assert.NotEqual(Version(sdp), Version(_session.Offer()));
    }

    [Fact]
    public void AVideoConsumerRepairsOnARetransmissionStreamWhenTheClientOfferedRtxAndItsAnswerKeepsIt()
    {
        // The client's first offer has rtx for VP8 (97, apt=96), as Chrome's has for each video codec.
        var offer = SdpSessionDescription.Parse(ClientOffer.Replace("SAVPF 96 102", "SAVPF 96 97 102", StringComparison.Ordinal)
            .Replace("a=rtpmap:102 H264", "a=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\na=rtpmap:102 H264", StringComparison.Ordinal));
        using var session = new SfuReceiveSession(_rtc.Transport, offer, SfuTransportNegotiation.Answer(offer, new PublishPolicy(PreferVp8: true, AudioLevels: true), []).Media,
            InProcessWebRtc.ClientAddress);
        var audio = session.Add(_stream, video: false, session.ReceivingCodec("audio", "opus")!, "peer a")!;
        var video = session.Add(_stream, video: true, session.ReceivingCodec("video", "VP8")!, "peer v")!;
        string sdp = session.Offer();

        Assert.Null(audio.Rtx);
        var rtx = Assert.IsType<RetransmissionStream>(video.Rtx);
        Assert.Equal(97, rtx.PayloadType);
        Assert.Equal([96, 97], SdpSessionDescription.Parse(sdp).Media[3].Formats);
        Assert.Contains("a=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n", sdp);
        Assert.Contains($"a=ssrc-group:FID {video.Ssrc} {rtx.Ssrc}\r\n", sdp);
        Assert.Contains($"a=ssrc:{rtx.Ssrc} msid:peer v\r\n", sdp);
        Assert.False(rtx.Enabled); // not before the client took it

        // An answer that keeps 97 turns repairs onto it; one that drops it, back to packets sent again as they were.
        session.Start(SdpSessionDescription.Parse(sdp)); // (the offer stands in for the client's answer)
        Assert.True(rtx.Enabled);
        session.Start(SdpSessionDescription.Parse(sdp.Replace("SAVPF 96 97", "SAVPF 96", StringComparison.Ordinal)));
        Assert.False(rtx.Enabled);
    }

    [Fact]
    public void EachPauseForTheConnectionsEstimateIsCountedAndToldOnceOnTheConsumerAndTheServer()
    {
        var video = _session.Add(_stream, video: true, _session.ReceivingCodec("video", "VP8")!, "peer producer-v")!;
        var told = new List<bool>();
        video.PausedChanged += c => told.Add(c.Paused);

        video.Allocate(null);
        video.Allocate(null); // still paused: not a second pause
        Assert.True(video.Paused);
        Assert.Equal(1, _rtc.Transport.VideoPauses);
        video.Allocate(_stream);
        Assert.False(video.Paused);
        video.Allocate(_stream);
        video.Allocate(null);
        Assert.Equal(2, _rtc.Transport.VideoPauses);
        Assert.Equal([true, false, true], told); // each change told once, for the router to tell the subscriber
        Assert.Equal(0, _rtc.Transport.LayerSwitches); // one layer, and nothing forwarded yet
        Assert.Equal((2, 0), (video.Pauses, video.LayerSwitches)); // the consumer's own, for its subscriber's call stats
    }

    [Fact]
    public void AClosedConsumerKeepsItsPlaceUntilANewOneTakesItUnderANewMid()
    {
        var audio = _session.Add(_stream, video: false, _session.ReceivingCodec("audio", "opus")!, "peer a")!;
        _session.Add(_stream, video: true, _session.ReceivingCodec("video", "VP8")!, "peer v");
        _session.Offer();

        // The client stops mid 2 and offers: the answer closes it and keeps the others.
        string answerSdp = _session.Answer(SdpSessionDescription.Parse(Reject(_session.Offer(), audio.Mid)), [audio.Mid]);
        Assert.Contains("a=setup:passive\r\n", answerSdp);
        var answer = SdpSessionDescription.Parse(answerSdp.Replace("a=setup:passive", "a=setup:active", StringComparison.Ordinal));
        Assert.Equal(["0", "1", "2", "3"], answer.Media.Select(m => m.Mid));
        Assert.True(answer.Media[2].Rejected);
        Assert.Equal(["3"], _session.Consumers.Select(c => c.Mid));
        Assert.False(audio.IsReading);

        var next = _session.Add(_stream, video: false, _session.ReceivingCodec("audio", "opus")!, "peer a2")!;
        var offer = SdpSessionDescription.Parse(_session.Offer());
        Assert.Equal("4", next.Mid);
        Assert.Equal(["0", "1", "4", "3"], offer.Media.Select(m => m.Mid));
        Assert.False(offer.Media[2].Rejected);
    }

    [Fact]
    public void AClosedPlaceIsTakenOnlyByAConsumerOfItsKind()
    {
        var audio = _session.Add(_stream, video: false, _session.ReceivingCodec("audio", "opus")!, "peer a")!;
        _session.Add(_stream, video: true, _session.ReceivingCodec("video", "VP8")!, "peer v");
        _session.Offer();
        _session.Answer(SdpSessionDescription.Parse(Reject(_session.Offer(), audio.Mid)), [audio.Mid]);

        // A video consumer does not take the audio place (Chrome refuses an m-line that changes kind): a new section.
        var video = _session.Add(_stream, video: true, _session.ReceivingCodec("video", "VP8")!, "peer v2")!;
        var offer = SdpSessionDescription.Parse(_session.Offer());
        Assert.Equal(["0", "1", "2", "3", video.Mid], offer.Media.Select(m => m.Mid));
        Assert.True(offer.Media[2].Rejected);
        Assert.Equal(["audio", "video", "audio", "video", "video"], offer.Media.Select(m => m.Kind));

        // An audio consumer does.
        var again = _session.Add(_stream, video: false, _session.ReceivingCodec("audio", "opus")!, "peer a2")!;
        offer = SdpSessionDescription.Parse(_session.Offer());
        Assert.Equal(["0", "1", again.Mid, "3", video.Mid], offer.Media.Select(m => m.Mid));
    }

    [Fact]
    public void AConsumerTheClientRefusesInItsAnswerCloses()
    {
        var video = _session.Add(_stream, video: true, _session.ReceivingCodec("video", "VP8")!, "peer v")!;

        _session.Start(SdpSessionDescription.Parse(Reject(_session.Offer(), video.Mid)));

        Assert.Empty(_session.Consumers);
        Assert.True(SdpSessionDescription.Parse(_session.Offer()).Media[2].Rejected);
    }

    [Fact]
    public void AConsumerOfAStreamThatEndedIsClosedInTheNextOffer()
    {
        var video = _session.Add(_stream, video: true, _session.ReceivingCodec("video", "VP8")!, "peer v")!;
        _session.Offer();

        _publisher.Unpublish();

        Assert.Equal(HubStreamState.Ended, _stream.State);
        Assert.True(SdpSessionDescription.Parse(_session.Offer()).Media[2].Rejected);
        Assert.Empty(_session.Consumers);
        Assert.False(video.IsReading);
    }

    [Fact]
    public void ALineClosedHereIsTakenUpOnlyOnceTheClientAnsweredAnOfferThatClosedIt()
    {
        _session.Add(_stream, video: true, _session.ReceivingCodec("video", "VP8")!, "peer v");
        _session.Start(SdpSessionDescription.Parse(_session.Offer())); // (the offer stands in for the client's answer)
        _rtc.Hub.TryPublish("meeting/other/camera", new PublisherInfo("whip", InProcessWebRtc.ClientAddress), out var other);
        _publisher.Unpublish();

        // The next consumer comes while the client still has mid 2 open: it gets a line of its own (Chrome refuses a new
        // mid where its description has one open); the offer closes mid 2.
        var next = _session.Add(other!.Stream, video: true, _session.ReceivingCodec("video", "VP8")!, "other v")!;
        var offer = SdpSessionDescription.Parse(_session.Offer());
        Assert.Equal(["0", "1", "2", next.Mid], offer.Media.Select(m => m.Mid));
        Assert.True(offer.Media[2].Rejected);

        // Once the client answered that offer, the closed line is taken up again.
        _session.Start(offer);
        var third = _session.Add(other.Stream, video: true, _session.ReceivingCodec("video", "VP8")!, "other v2")!;
        Assert.Equal(["0", "1", third.Mid, next.Mid], SdpSessionDescription.Parse(_session.Offer()).Media.Select(m => m.Mid));
    }

    [Fact]
    public void TheConnectionHoldsAtMostAsManyMLinesAsADescriptionMayHave()
    {
        var codec = _session.ReceivingCodec("audio", "opus")!;
        int added = 0;
        while (_session.Add(_stream, video: false, codec, $"peer {added}") is not null)
        {
            added++;
        }

        Assert.Equal(SdpSessionDescription.MaxMediaSections - 2, added);
        Assert.Equal(SdpSessionDescription.MaxMediaSections, SdpSessionDescription.Parse(_session.Offer()).Media.Count);
    }

    /// <summary>The description with the section of <paramref name="mid"/> at port 0, as a client stopping it writes it.</summary>
    private static string Reject(string sdp, string mid)
    {
        var sections = sdp.Split("m=", StringSplitOptions.None);
        for (int i = 1; i < sections.Length; i++)
        {
            if (sections[i].Contains($"a=mid:{mid}\r\n", StringComparison.Ordinal))
            {
                sections[i] = sections[i].Replace(" 9 UDP/TLS", " 0 UDP/TLS", StringComparison.Ordinal);
            }
        }

        return string.Join("m=", sections);
    }

    private static string Version(string sdp) => sdp.Split("\r\n")[1].Split(' ')[2];

    public async Task DisposeAsync()
    {
        _session.Dispose();
        await _rtc.DisposeAsync();
    }
}
