using Stagecast.Testing.WebRtc;
using Stagecast.WebRtc.Dtls;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>
/// A RealtimeKit client's send transport on Stagecast's own WebRTC client: it offers H.264 on mid 0 and Opus (with
/// its level) on mid 1, and, for a screen share beside the camera, H.264 again on mid 2, in the same payload type as a
/// browser does, each m-line announcing its SSRC (<see cref="SsrcOf"/>) so the server can tell the two videos apart.
/// </summary>
public sealed class RealtimeKitSendTransport : WebRtcClient
{
    public const string VideoMid = "0";
    public const string AudioMid = "1";
    public const string ScreenMid = "2";

    private readonly bool _screen;
    private readonly uint _firstSsrc = (uint)Random.Shared.Next(1, int.MaxValue / 4);

    private RealtimeKitSendTransport(DtlsCertificate certificate, bool screen)
        : base(certificate) => _screen = screen;

    /// <summary>Offers through <paramref name="negotiate"/> (the socket's <c>createWebRTCTransport</c>), connects, and returns once DTLS is done.</summary>
    public static async Task<RealtimeKitSendTransport> ConnectAsync(Negotiate negotiate, DtlsCertificate certificate, bool screen)
    {
        var client = new RealtimeKitSendTransport(certificate, screen);
        await client.ConnectAsync(negotiate, certificate.Fingerprint, dtls: true, CancellationToken.None);
        return client;
    }

    /// <summary>The SSRC the offer announces for the m-line <paramref name="mid"/>.</summary>
    public uint SsrcOf(string mid) => _firstSsrc + uint.Parse(mid, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>What sends the track of m-line <paramref name="mid"/>, on its announced SSRC; audio with <paramref name="level"/> when given.</summary>
    public RtpSender Sender(string mid, int? level = null) =>
        mid == AudioMid ? RtpSender.Opus(this, level, SsrcOf(mid)) : RtpSender.H264(this, SsrcOf(mid));

    protected override string Offer(string fingerprint) =>
        $"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1{(_screen ? " 2" : "")}\r\n" +
        Video(VideoMid, fingerprint) +
        $"m=audio 9 UDP/TLS/RTP/SAVPF {WhipClient.AudioPayloadType}\r\nc=IN IP4 0.0.0.0\r\na=mid:{AudioMid}\r\na=sendonly\r\na=rtcp-mux\r\n" +
        $"a=rtpmap:{WhipClient.AudioPayloadType} opus/48000/2\r\na=extmap:{WhipClient.AudioLevelExtensionId} urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n" +
        $"a=ssrc:{SsrcOf(AudioMid)} cname:rtk\r\n" +
        (_screen ? Video(ScreenMid, fingerprint) : "");

    private string Video(string mid, string fingerprint) =>
        $"m=video 9 UDP/TLS/RTP/SAVPF {WhipClient.VideoPayloadType}\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:{Ice.Ufrag}\r\na=ice-pwd:{Ice.Password}\r\n" +
        $"a=fingerprint:sha-256 {fingerprint}\r\na=setup:active\r\na=mid:{mid}\r\na=sendonly\r\na=rtcp-mux\r\n" +
        $"a=rtpmap:{WhipClient.VideoPayloadType} H264/90000\r\na=rtcp-fb:{WhipClient.VideoPayloadType} nack\r\na=rtcp-fb:{WhipClient.VideoPayloadType} nack pli\r\n" +
        $"a=fmtp:{WhipClient.VideoPayloadType} level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n" +
        $"a=ssrc:{SsrcOf(mid)} cname:rtk\r\n";
}
