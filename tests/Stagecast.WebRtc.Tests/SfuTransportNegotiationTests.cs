using Stagecast.WebRtc.Ice;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Sfu;

namespace Stagecast.WebRtc.Tests;

/// <summary>
/// The offers of RealtimeKit's send transport as Chromium writes them for SDK 2.0.2 (trimmed of codecs that do not
/// matter): placeholder m-lines first, then the microphone (mid 2) and camera (mid 3) added, then the camera stopped.
/// </summary>
public sealed class SfuTransportNegotiationTests
{
    private const string Session =
        "v=0\r\no=- 2581830583305450724 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE {0}\r\na=extmap-allow-mixed\r\na=msid-semantic: WMS\r\n";

    private const string Transport =
        "a=ice-ufrag:d1wb\r\na=ice-pwd:n1tfU9bZEpqCWg4NsCZeTztL\r\na=ice-options:trickle\r\n" +
        "a=fingerprint:sha-256 48:A7:72:21:9F:0C:83:C5:F4:38:D1:ED:CA:3B:FB:85:D2:08:BD:3F:60:66:96:45:8F:F2:38:C8:87:B7:7F:95\r\na=setup:actpass\r\n";

    private const string Audio =
        "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9\r\nc=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\n" + Transport +
        "a=mid:{0}\r\na=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\na=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\na={1}\r\na=rtcp-mux\r\n" +
        "a=rtpmap:111 opus/48000/2\r\na=rtcp-fb:111 transport-cc\r\na=fmtp:111 minptime=10;useinbandfec=1\r\na=rtpmap:63 red/48000/2\r\na=rtpmap:9 G722/8000\r\n";

    private const string Video =
        "m=video 9 UDP/TLS/RTP/SAVPF 96 97 102\r\nc=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\n" + Transport +
        "a=mid:{0}\r\na=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\na=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n" +
        "a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id\r\na={1}\r\na=rtcp-mux\r\na=rtcp-rsize\r\n" +
        "a=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack\r\na=rtcp-fb:96 nack pli\r\na=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n" +
        "a=rtpmap:102 H264/90000\r\na=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n";

    private const string Simulcast = "a=rid:f send\r\na=rid:h send\r\na=rid:q send\r\na=simulcast:send f;h;q\r\n";

    private static readonly PublishPolicy Meeting = new(PreferVp8: true, AudioLevels: true);

    [Fact]
    public void TheFirstOfferWithPlaceholdersIsAnsweredWithoutTracksOrSimulcastButWithTheRidExtensions()
    {
        var offer = SdpSessionDescription.Parse(Format(Session, "0 1") + Format(Audio, "0", "sendonly") + Format(Video, "1", "sendonly") + Simulcast);
        Assert.True(offer.Media[1].Simulcast);

        var negotiation = SfuTransportNegotiation.Answer(offer, Meeting, []);

        Assert.Equal(["recvonly", "recvonly"], negotiation.Media.Select(m => m.Direction));
        string answer = Build(negotiation);
        Assert.Contains("a=group:BUNDLE 0 1\r\n", answer);
        Assert.Contains("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n", answer);
        Assert.Contains("m=video 9 UDP/TLS/RTP/SAVPF 96\r\n", answer);
        // Chromium refuses its own next offer if simulcast is still offered and no RID extension was taken.
        Assert.Contains("a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n", answer);
        Assert.Contains("a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id\r\n", answer);
        Assert.DoesNotContain("a=simulcast", answer);
        Assert.DoesNotContain("a=rid", answer);
        Assert.DoesNotContain("sdes:mid", answer);
    }

    [Fact]
    public void TheMicrophoneAndCameraAreTheTracksOfTheirMids()
    {
        var offer = SdpSessionDescription.Parse(Format(Session, "0 1 2 3") + Format(Audio, "0", "sendonly") + Format(Video, "1", "sendonly") + Simulcast
            + Format(Audio, "2", "sendonly") + Format(Video, "3", "sendonly"));

        var negotiation = SfuTransportNegotiation.Answer(offer, Meeting, ["2", "3"]);

        Assert.Same(offer.Media[2].Codecs[111], negotiation.Media[2].Codec);
        Assert.Same(offer.Media[3].Codecs[96], negotiation.Media[3].Codec);
        Assert.Equal(1, negotiation.AudioLevelId);
        string answer = Build(negotiation);
        Assert.Contains("a=group:BUNDLE 0 1 2 3\r\n", answer);
        Assert.Equal(4, answer.Split("a=recvonly\r\n").Length - 1);
        Assert.Single(answer.Split("a=extmap:10 ").Skip(1)); // the RID extension for the placeholder's simulcast only: the camera has no RID
    }

    [Fact]
    public void TheCameraNamedForSimulcastIsAnsweredReceivingItsLayersAndThePlaceholderIsNot()
    {
        var offer = SdpSessionDescription.Parse(Format(Session, "0 1 2 3") + Format(Audio, "0", "sendonly") + Format(Video, "1", "sendonly") + Simulcast
            + Format(Audio, "2", "sendonly") + Format(Video, "3", "sendonly") + "a=rid:f send\r\na=rid:h send\r\na=rid:q send\r\na=simulcast:send f;~h,x;~q\r\n");
        Assert.Equal(["f", "h", "q"], offer.Media[3].SendRids);

        var negotiation = SfuTransportNegotiation.Answer(offer, Meeting, ["2", "3"], simulcastMid: "3");

        Assert.Equal([false, false, false, true], negotiation.Media.Select(m => m.Simulcast));
        string camera = Build(negotiation).Split("a=mid:3\r\n")[1];
        Assert.Contains("a=rid:f recv\r\na=rid:h recv\r\na=rid:q recv\r\na=simulcast:recv f;h;q\r\n", camera);
        Assert.Contains("a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n", camera);

        // Named but not a track, or without the RID extension: refused.
        Assert.DoesNotContain(SfuTransportNegotiation.Answer(offer, Meeting, ["2"], simulcastMid: "3").Media, m => m.Simulcast);
        var noRid = SdpSessionDescription.Parse(Format(Session, "0 1") + Format(Audio, "0", "sendonly")
            + Format(Video, "1", "sendonly").Replace("a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n", "", StringComparison.Ordinal) + Simulcast);
        Assert.DoesNotContain(SfuTransportNegotiation.Answer(noRid, Meeting, ["1"], simulcastMid: "1").Media, m => m.Simulcast);
    }

    [Theory]
    [InlineData("a=simulcast:send f;h;q;x;y", "more than 4 layers")]
    [InlineData("a=simulcast:send f;h$;q", "invalid RID")]
    public void AnOfferOfTooManyOrBadlyNamedLayersIsRefused(string simulcast, string error)
    {
        var ex = Assert.Throws<SdpException>(() => SdpSessionDescription.Parse(Format(Session, "0") + Format(Video, "0", "sendonly") + simulcast + "\r\n"));
        Assert.Contains(error, ex.Message);
    }

    [Fact]
    public void AStoppedCameraIsAnsweredInactiveAndStaysInTheBundle()
    {
        var offer = SdpSessionDescription.Parse(Format(Session, "0 1 2 3") + Format(Audio, "0", "sendonly") + Format(Video, "1", "sendonly") + Simulcast
            + Format(Audio, "2", "sendonly") + Format(Video, "3", "inactive"));

        var negotiation = SfuTransportNegotiation.Answer(offer, Meeting, ["2"]);

        Assert.Equal(["recvonly", "recvonly", "recvonly", "inactive"], negotiation.Media.Select(m => m.Direction));
        Assert.Contains("a=group:BUNDLE 0 1 2 3\r\n", Build(negotiation));
        Assert.Throws<SdpException>(() => SfuTransportNegotiation.Answer(offer, Meeting, ["2", "3"]));
    }

    [Fact]
    public void ATrackThePolicyForbidsOrAnUnknownMidIsRefused()
    {
        var offer = SdpSessionDescription.Parse(Format(Session, "0 1") + Format(Audio, "2", "sendonly") + Format(Video, "3", "sendonly"));

        var noVideo = Meeting with { AllowVideo = false };
        Assert.Contains("does not allow publishing video", Assert.Throws<SdpException>(() => SfuTransportNegotiation.Answer(offer, noVideo, ["2", "3"])).Message);
        Assert.Equal("recvonly", SfuTransportNegotiation.Answer(offer, noVideo, ["2"]).Media[0].Direction);
        Assert.Contains("no m-line 7", Assert.Throws<SdpException>(() => SfuTransportNegotiation.Answer(offer, Meeting, ["7"])).Message);
    }

    private static string Format(string template, params object[] values) => string.Format(System.Globalization.CultureInfo.InvariantCulture, template, values);

    private static string Build(PublishNegotiation negotiation) =>
        SdpAnswer.Build(IceCredentials.Create(), "AA:BB", [], negotiation.Media, "stagecast");
}
