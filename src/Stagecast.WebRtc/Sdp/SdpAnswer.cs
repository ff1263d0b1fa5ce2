using System.Net;
using Stagecast.WebRtc.Ice;

namespace Stagecast.WebRtc.Sdp;

/// <summary>
/// What the answer says about one offered m= section: the codec chosen (null rejects it), our direction, what we send
/// (and as which msid, by default <c>{cname} {kind}0</c>), the offered header extensions we take (by URI, under the
/// offer's ids), and whether we take the simulcast layers it offers to send (<see cref="MediaDescription.SendRids"/>).
/// </summary>
public sealed record AnsweredMedia(MediaDescription Offer, RtpCodec? Codec, string Direction, uint SendSsrc = 0, IReadOnlyList<string>? Extensions = null,
    string? Msid = null, bool Simulcast = false, RtxDescription? Rtx = null)
{
    internal SdpSection Section => new(Offer.Kind, Offer.Mid, Codec, Direction, SendSsrc, Msid,
        Extensions?.Where(Offer.Extensions.ContainsKey).ToDictionary(uri => uri, uri => Offer.Extensions[uri], StringComparer.Ordinal),
        Offer.Formats.Count > 0 ? Offer.Formats[0] : 0, Simulcast ? Offer.SendRids : null, Rtx);
}

/// <summary>A candidate of ours (RFC 8839 section 5.1): UDP, or TCP passive (RFC 6544).</summary>
public sealed record IceCandidate(IPAddress Address, int Port, bool Tcp)
{
    /// <summary>Host candidates' priority (RFC 8445 section 5.1.2.1): UDP first, TCP a step below.</summary>
    public uint Priority => ((uint)(Tcp ? 100 : 126) << 24) | (65535u << 8) | 255;

    public string ToSdp(int foundation) => Tcp
        ? FormattableString.Invariant($"candidate:{foundation} 1 tcp {Priority} {Address} {Port} typ host tcptype passive")
        : FormattableString.Invariant($"candidate:{foundation} 1 udp {Priority} {Address} {Port} typ host");
}

/// <summary>
/// Writes the answer of an ICE-lite, DTLS-passive endpoint (RFC 8829 section 5.3): every accepted section bundled on one
/// transport, rtcp-mux, the chosen codec with NACK, PLI, FIR and REMB feedback, our candidates in each section.
/// </summary>
public static class SdpAnswer
{
    public static string Build(IceCredentials ice, string fingerprint, IReadOnlyList<IceCandidate> candidates, IReadOnlyList<AnsweredMedia> media, string cname) =>
        SdpWriter.Write(ice, fingerprint, candidates, [.. media.Select(m => m.Section)], cname, "passive", SdpWriter.NewSessionId(), 2);
}
