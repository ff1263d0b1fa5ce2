using Stagecast.WebRtc.Ice;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Whep;

namespace Stagecast.WebRtc.Tests;

/// <summary>SDP offers as Chromium and Firefox write them, parsed and answered; malformed ones refused with the reason.</summary>
public sealed class SdpTests
{
    // A Chromium WHIP offer (sendonly audio and video), trimmed of the codecs that do not matter here.
    internal const string ChromiumOffer =
        "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\na=extmap-allow-mixed\r\na=msid-semantic: WMS\r\n" +
        "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9\r\nc=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\n" +
        "a=ice-ufrag:F0zU\r\na=ice-pwd:nVSfm4aIuKrsQcG7l7WW3RYz\r\na=ice-options:trickle\r\n" +
        "a=fingerprint:sha-256 4C:28:AB:0B:69:0B:69:2C:12:5D:9B:7A:2C:26:8C:6E:8D:1D:0D:17:13:0E:97:4B:2E:D9:36:06:3E:7F:19:51\r\n" +
        "a=setup:actpass\r\na=mid:0\r\na=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\na=sendonly\r\na=msid:- a1\r\na=rtcp-mux\r\n" +
        "a=rtpmap:111 opus/48000/2\r\na=rtcp-fb:111 transport-cc\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n" +
        "a=rtpmap:63 red/48000/2\r\na=fmtp:63 111/111\r\na=rtpmap:9 G722/8000\r\na=ssrc:1001 cname:abc\r\n" +
        "m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 108\r\nc=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\n" +
        "a=ice-ufrag:F0zU\r\na=ice-pwd:nVSfm4aIuKrsQcG7l7WW3RYz\r\n" +
        "a=fingerprint:sha-256 4C:28:AB:0B:69:0B:69:2C:12:5D:9B:7A:2C:26:8C:6E:8D:1D:0D:17:13:0E:97:4B:2E:D9:36:06:3E:7F:19:51\r\n" +
        "a=setup:actpass\r\na=mid:1\r\na=sendonly\r\na=rtcp-mux\r\na=rtcp-rsize\r\n" +
        "a=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack\r\na=rtcp-fb:96 nack pli\r\n" +
        "a=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n" +
        "a=rtpmap:102 H264/90000\r\na=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f\r\n" +
        "a=rtpmap:103 H264/90000\r\na=fmtp:103 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f\r\n" +
        "a=rtpmap:108 H264/90000\r\na=fmtp:108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n" +
        "a=ssrc:2002 cname:abc\r\na=ssrc:2003 cname:abc\r\n";

    [Fact]
    public void ChromiumOfferParses()
    {
        var offer = SdpSessionDescription.Parse(ChromiumOffer);
        Assert.Equal("F0zU", offer.IceUfrag);
        Assert.Equal("nVSfm4aIuKrsQcG7l7WW3RYz", offer.IcePassword);
        Assert.Equal("sha-256", offer.FingerprintAlgorithm);
        Assert.Equal(32, offer.Fingerprint!.Length);
        Assert.Equal(0x4C, offer.Fingerprint[0]);
        Assert.Equal(2, offer.Media.Count);
        var video = offer.Media[1];
        Assert.Equal(("video", "1", "sendonly"), (video.Kind, video.Mid, video.Direction));
        Assert.Equal([96, 97, 102, 103, 108], video.Formats);
        Assert.Equal([2002u, 2003u], video.Ssrcs);
        Assert.True(video.Codecs[108].IsH264NonInterleaved);
        Assert.False(video.Codecs[103].IsH264NonInterleaved);
        Assert.Equal(0x42, video.Codecs[108].H264ProfileIdc);
        Assert.Equal(["nack", "nack pli"], video.Codecs[96].Feedback);
    }

    [Fact]
    public void AViewersAnswerRepairsOnTheRetransmissionStreamItOfferedForTheChosenCodec()
    {
        var video = SdpSessionDescription.Parse(ChromiumOffer.Replace("a=sendonly", "a=recvonly", StringComparison.Ordinal)).Media[1];

        var rtx = Assert.IsType<Rtp.RetransmissionStream>(Rtp.RetransmissionStream.For(video, video.Codecs[96]));
        Assert.Null(Rtp.RetransmissionStream.For(video, video.Codecs[108])); // this offer has rtx for VP8 only
        string answer = SdpAnswer.Build(IceCredentials.Create(), "AA:BB", [], [new AnsweredMedia(video, video.Codecs[96], "sendonly", 1234, Rtx: rtx.Description)], "stagecast");

        Assert.Equal(97, rtx.PayloadType);
        Assert.Contains("m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n", answer);
        Assert.Contains("a=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n", answer);
        Assert.Contains($"a=ssrc-group:FID 1234 {rtx.Ssrc}\r\n", answer);
        Assert.Contains($"a=ssrc:{rtx.Ssrc} cname:stagecast\r\n", answer);
    }

    [Fact]
    public void WhipPrefersConstrainedBaselineH264InModeOneAndOpus()
    {
        var negotiation = PublishNegotiation.Choose(SdpSessionDescription.Parse(ChromiumOffer));
        Assert.Equal(108, negotiation.Video!.PayloadType);
        Assert.Equal(111, negotiation.Audio!.PayloadType);

        string answer = SdpAnswer.Build(IceCredentials.Create(), "AA:BB", [new IceCandidate(System.Net.IPAddress.Loopback, 8189, false)], negotiation.Media, "stagecast");
        Assert.Contains("a=ice-lite\r\n", answer);
        Assert.Contains("a=group:BUNDLE 0 1\r\n", answer);
        Assert.Contains("m=video 9 UDP/TLS/RTP/SAVPF 108\r\n", answer);
        Assert.Contains("a=recvonly\r\n", answer);
        Assert.Contains("a=setup:passive\r\n", answer);
        Assert.Contains("a=rtcp-fb:108 goog-remb\r\n", answer);
        Assert.Contains("a=candidate:1 1 udp 2130706431 127.0.0.1 8189 typ host\r\n", answer);
        Assert.DoesNotContain("a=ssrc", answer);
    }

    [Fact]
    public void WhipFallsBackToVp8WhenNoH264IsOffered()
    {
        string vp8Only = ChromiumOffer.Replace("packetization-mode=1", "packetization-mode=0", StringComparison.Ordinal);
        var negotiation = PublishNegotiation.Choose(SdpSessionDescription.Parse(vp8Only));
        Assert.Equal("VP8", negotiation.Video!.Name);
    }

    [Fact]
    public void AnOfferWithNeitherH264NorVp8IsRefusedWithTheReason()
    {
        string av1 = ChromiumOffer.Replace("VP8/90000", "AV1/90000", StringComparison.Ordinal).Replace("packetization-mode=1", "packetization-mode=0", StringComparison.Ordinal);
        var error = Assert.Throws<SdpException>(() => PublishNegotiation.Choose(SdpSessionDescription.Parse(av1)));
        Assert.Contains("H.264", error.Message);
    }

    [Theory]
    [InlineData("hello", "v=0")]
    [InlineData("v=0\r\ns=-\r\n", "no media sections")]
    [InlineData("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n", "ice-ufrag")]
    [InlineData("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 300\r\n", "above 127")]
    [InlineData("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF x\r\n", "not a number")]
    [InlineData("v=0\r\nbroken\r\n", "line 2")]
    public void MalformedOffersNameTheProblem(string sdp, string expected)
    {
        var error = Assert.Throws<SdpException>(() => SdpSessionDescription.Parse(sdp));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void OversizedOffersAreRefusedBeforeParsing()
    {
        var error = Assert.Throws<SdpException>(() => SdpSessionDescription.Parse("v=0\r\n" + new string('a', SdpSessionDescription.MaxLength)));
        Assert.Contains("at most", error.Message);
    }

    [Fact]
    public void EveryTruncationEitherParsesOrFailsWithAnSdpException()
    {
        for (int length = 0; length <= ChromiumOffer.Length; length++)
        {
            try
            {
                SdpSessionDescription.Parse(ChromiumOffer[..length]);
            }
            catch (SdpException)
            {
            }
        }
    }
}
