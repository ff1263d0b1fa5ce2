using Stagecast.WebRtc.Dtls;
using Stagecast.WebRtc.Sdp;

namespace Stagecast.Testing.WebRtc;

/// <summary>A WHEP viewer (or a meeting subscriber): it offers recvonly H.264 and Opus, and counts what arrives.</summary>
public sealed class WhepClient : WebRtcClient
{
    private WhepClient(DtlsCertificate certificate, bool iceTcp = false)
        : base(certificate, iceTcp)
    {
    }

    /// <summary>
    /// Offers to <paramref name="whepUrl"/>, connects, and returns once DTLS is done. <paramref name="fingerprint"/>
    /// overrides what the offer claims (tests); <paramref name="bearer"/> is a meeting participant's token.
    /// </summary>
    public static async Task<WhepClient> ConnectAsync(
        HttpClient http, string whepUrl, DtlsCertificate certificate, string? fingerprint = null, CancellationToken cancellationToken = default, string? bearer = null)
    {
        var client = new WhepClient(certificate);
        await client.ConnectAsync(http, whepUrl, bearer, fingerprint ?? certificate.Fingerprint, dtls: true, cancellationToken).ConfigureAwait(false);
        return client;
    }

    /// <summary>
    /// Offers through <paramref name="negotiate"/> (a test answering in process), connects over UDP or, when
    /// <paramref name="iceTcp"/>, to the answer's ICE-TCP candidate, and returns once DTLS is done.
    /// </summary>
    public static async Task<WhepClient> ConnectAsync(Negotiate negotiate, DtlsCertificate certificate, bool iceTcp = false, CancellationToken cancellationToken = default)
    {
        var client = new WhepClient(certificate, iceTcp);
        await client.ConnectAsync(negotiate, certificate.Fingerprint, dtls: true, cancellationToken).ConfigureAwait(false);
        return client;
    }

    /// <summary>
    /// A client that stalls: it offers and keeps ICE alive (binding requests) but never starts DTLS, as a hostile or
    /// broken peer would. The server must drop the session at its connect deadline (tests, the soak's hostile waves).
    /// </summary>
    public static async Task<WhepClient> OfferWithoutDtlsAsync(HttpClient http, string whepUrl, DtlsCertificate certificate, CancellationToken cancellationToken = default)
    {
        var client = new WhepClient(certificate);
        await client.ConnectAsync(http, whepUrl, null, certificate.Fingerprint, dtls: false, cancellationToken).ConfigureAwait(false);
        return client;
    }

    protected override string Offer(string fingerprint) =>
        "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n" +
        $"m=video 9 UDP/TLS/RTP/SAVPF 102\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:{Ice.Ufrag}\r\na=ice-pwd:{Ice.Password}\r\n" +
        $"a=fingerprint:sha-256 {fingerprint}\r\na=setup:active\r\na=mid:0\r\na=recvonly\r\na=rtcp-mux\r\n" +
        "a=rtpmap:102 H264/90000\r\na=rtcp-fb:102 nack\r\na=rtcp-fb:102 nack pli\r\na=rtcp-fb:102 transport-cc\r\n" +
        $"a=extmap:{WhipClient.TransportWideCcExtensionId} {ExtensionUris.TransportWideCc}\r\n" +
        "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n" +
        "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\na=recvonly\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n" +
        $"a=extmap:{WhipClient.TransportWideCcExtensionId} {ExtensionUris.TransportWideCc}\r\n";
}
