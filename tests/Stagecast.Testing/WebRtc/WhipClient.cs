using Stagecast.WebRtc.Dtls;
using Stagecast.WebRtc.Sdp;

namespace Stagecast.Testing.WebRtc;

/// <summary>
/// A WHIP publisher (a livestream with its stream key, or a meeting participant with its token) that sends the RTP it
/// is given: H.264 (packetization mode 1, constrained baseline) under payload type <see cref="VideoPayloadType"/> and
/// Opus under <see cref="AudioPayloadType"/>, which may carry its level (RFC 6464) under <see cref="AudioLevelExtensionId"/>.
/// The benchmark feeds it a pre-encoded clip.
/// </summary>
public sealed class WhipClient : WebRtcClient
{
    public const int VideoPayloadType = 102;
    public const int AudioPayloadType = 111;
    public const int AudioLevelExtensionId = 1;

    /// <summary>The transport-wide sequence number's id (offered on both m-lines, as browsers do; a packet carries it when a test writes it).</summary>
    public const int TransportWideCcExtensionId = 3;

    private WhipClient(DtlsCertificate certificate)
        : base(certificate)
    {
    }

    public static async Task<WhipClient> ConnectAsync(HttpClient http, string whipUrl, string bearer, DtlsCertificate certificate, CancellationToken cancellationToken = default)
    {
        var client = new WhipClient(certificate);
        await client.ConnectAsync(http, whipUrl, bearer, certificate.Fingerprint, dtls: true, cancellationToken).ConfigureAwait(false);
        return client;
    }

    /// <summary>Offers through <paramref name="negotiate"/> (a test answering in process), connects, and returns once DTLS is done.</summary>
    public static async Task<WhipClient> ConnectAsync(Negotiate negotiate, DtlsCertificate certificate, CancellationToken cancellationToken = default)
    {
        var client = new WhipClient(certificate);
        await client.ConnectAsync(negotiate, certificate.Fingerprint, dtls: true, cancellationToken).ConfigureAwait(false);
        return client;
    }

    protected override string Offer(string fingerprint) =>
        "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n" +
        $"m=video 9 UDP/TLS/RTP/SAVPF {VideoPayloadType}\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:{Ice.Ufrag}\r\na=ice-pwd:{Ice.Password}\r\n" +
        $"a=fingerprint:sha-256 {fingerprint}\r\na=setup:active\r\na=mid:0\r\na=sendonly\r\na=rtcp-mux\r\n" +
        $"a=rtpmap:{VideoPayloadType} H264/90000\r\na=rtcp-fb:{VideoPayloadType} nack\r\na=rtcp-fb:{VideoPayloadType} nack pli\r\n" +
        $"a=rtcp-fb:{VideoPayloadType} transport-cc\r\na=extmap:{TransportWideCcExtensionId} {ExtensionUris.TransportWideCc}\r\n" +
        $"a=fmtp:{VideoPayloadType} level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n" +
        $"m=audio 9 UDP/TLS/RTP/SAVPF {AudioPayloadType}\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\na=sendonly\r\na=rtcp-mux\r\na=rtpmap:{AudioPayloadType} opus/48000/2\r\n" +
        $"a=extmap:{AudioLevelExtensionId} urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\na=extmap:{TransportWideCcExtensionId} {ExtensionUris.TransportWideCc}\r\n";
}
