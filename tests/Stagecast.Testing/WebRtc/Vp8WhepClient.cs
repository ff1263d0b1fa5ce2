using Stagecast.WebRtc.Dtls;

namespace Stagecast.Testing.WebRtc;

/// <summary>A meeting subscriber that receives VP8 (what browsers in a meeting publish) and Opus, and counts what arrives.</summary>
public sealed class Vp8WhepClient : WebRtcClient
{
    private const int Vp8PayloadType = 96;

    private Vp8WhepClient(DtlsCertificate certificate)
        : base(certificate)
    {
    }

    /// <summary>Offers to <paramref name="whepUrl"/> with a participant's token, connects, and returns once DTLS is done.</summary>
    public static async Task<Vp8WhepClient> ConnectAsync(HttpClient http, string whepUrl, string bearer, CancellationToken cancellationToken = default)
    {
        var certificate = DtlsCertificate.Create(TimeProvider.System);
        var client = new Vp8WhepClient(certificate);
        await client.ConnectAsync(http, whepUrl, bearer, certificate.Fingerprint, dtls: true, cancellationToken).ConfigureAwait(false);
        return client;
    }

    protected override bool IsVideo(int payloadType) => payloadType == Vp8PayloadType;

    protected override string Offer(string fingerprint) =>
        "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n" +
        $"m=video 9 UDP/TLS/RTP/SAVPF {Vp8PayloadType}\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:{Ice.Ufrag}\r\na=ice-pwd:{Ice.Password}\r\n" +
        $"a=fingerprint:sha-256 {fingerprint}\r\na=setup:active\r\na=mid:0\r\na=recvonly\r\na=rtcp-mux\r\n" +
        $"a=rtpmap:{Vp8PayloadType} VP8/90000\r\na=rtcp-fb:{Vp8PayloadType} nack\r\na=rtcp-fb:{Vp8PayloadType} nack pli\r\n" +
        "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\na=recvonly\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n";
}
