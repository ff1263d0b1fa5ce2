using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Stagecast.WebRtc.Ice;

namespace Stagecast.WebRtc.Sdp;

/// <summary>
/// One m= section as Stagecast describes it, in an answer or in an offer of its own: its kind and mid, the codec (null
/// closes the section: port 0, inactive, naming <paramref name="ClosedFormat"/>), the direction, the SSRC and msid it
/// sends with (0: it sends nothing), the header extensions it takes (id by URI), and the retransmission stream it sends
/// repairs on (<paramref name="Rtx"/>).
/// </summary>
public sealed record SdpSection(string Kind, string Mid, RtpCodec? Codec, string Direction, uint SendSsrc = 0, string? Msid = null,
    IReadOnlyDictionary<string, int>? Extensions = null, int ClosedFormat = 0, IReadOnlyList<string>? ReceiveRids = null,
    RtxDescription? Rtx = null);

/// <summary>A section's retransmission stream as SDP states it: RFC 4588's <c>rtx</c> payload type for the codec, and its SSRC in an FID group.</summary>
public readonly record struct RtxDescription(int PayloadType, uint Ssrc)
{
    /// <summary>The <c>rtx</c> payload type <paramref name="offer"/> gives <paramref name="codec"/> (<c>apt</c> its payload type), or 0.</summary>
    public static int PayloadTypeFor(MediaDescription offer, RtpCodec codec)
    {
        string apt = codec.PayloadType.ToString(CultureInfo.InvariantCulture);
        return offer.Codecs.Values.FirstOrDefault(c => c.Is("rtx") && c.FmtpParameter("apt") == apt)?.PayloadType ?? 0;
    }
}

/// <summary>
/// Writes the SDP of an ICE-lite endpoint on one bundled transport with rtcp-mux: the session lines, then each section
/// with the chosen codec (NACK, PLI, FIR and REMB feedback for video) and our candidates. Shared by
/// <see cref="SdpAnswer"/> and <see cref="SdpOffer"/>, which differ in the DTLS role they state and in who chose the mids.
/// </summary>
internal static class SdpWriter
{
    public static string Write(IceCredentials ice, string fingerprint, IReadOnlyList<IceCandidate> candidates, IReadOnlyList<SdpSection> media,
        string cname, string setup, long sessionId, long version)
    {
        var sdp = new StringBuilder(2048);
        Line(sdp, $"v=0");
        Line(sdp, $"o=- {sessionId} {version} IN IP4 127.0.0.1");
        Line(sdp, $"s=-");
        Line(sdp, $"t=0 0");
        Line(sdp, $"a=ice-lite");
        var bundled = media.Where(m => m.Codec is not null).Select(m => m.Mid);
        Line(sdp, $"a=group:BUNDLE {string.Join(' ', bundled)}");
        Line(sdp, $"a=msid-semantic: WMS {cname}");
        foreach (var section in media)
        {
            if (section.Codec is not { } codec)
            {
                Line(sdp, $"m={section.Kind} 0 UDP/TLS/RTP/SAVPF {section.ClosedFormat}");
                Line(sdp, $"c=IN IP4 0.0.0.0");
                Line(sdp, $"a=mid:{section.Mid}");
                Line(sdp, $"a=inactive");
                continue;
            }

            string formats = section.Rtx is { } retransmission ? $"{codec.PayloadType} {retransmission.PayloadType}" : $"{codec.PayloadType}";
            Line(sdp, $"m={section.Kind} 9 UDP/TLS/RTP/SAVPF {formats}");
            Line(sdp, $"c=IN IP4 0.0.0.0");
            Line(sdp, $"a=rtcp:9 IN IP4 0.0.0.0");
            Line(sdp, $"a=ice-ufrag:{ice.Ufrag}");
            Line(sdp, $"a=ice-pwd:{ice.Password}");
            Line(sdp, $"a=ice-options:trickle");
            Line(sdp, $"a=fingerprint:sha-256 {fingerprint}");
            Line(sdp, $"a=setup:{setup}");
            Line(sdp, $"a=mid:{section.Mid}");
            Line(sdp, $"a={section.Direction}");
            Line(sdp, $"a=rtcp-mux");
            Line(sdp, $"a=rtcp-rsize");
            foreach (var (uri, id) in section.Extensions ?? new Dictionary<string, int>())
            {
                Line(sdp, $"a=extmap:{id} {uri}");
            }

            string channels = codec.Channels > 1 ? $"/{codec.Channels}" : string.Empty;
            Line(sdp, $"a=rtpmap:{codec.PayloadType} {codec.Name}/{codec.ClockRate}{channels}");
            if (section.Extensions?.ContainsKey(ExtensionUris.TransportWideCc) == true)
            {
                Line(sdp, $"a=rtcp-fb:{codec.PayloadType} transport-cc");
            }

            if (section.Kind == "video")
            {
                Line(sdp, $"a=rtcp-fb:{codec.PayloadType} nack");
                Line(sdp, $"a=rtcp-fb:{codec.PayloadType} nack pli");
                Line(sdp, $"a=rtcp-fb:{codec.PayloadType} ccm fir");
                Line(sdp, $"a=rtcp-fb:{codec.PayloadType} goog-remb");
            }

            if (codec.Fmtp.Length > 0)
            {
                Line(sdp, $"a=fmtp:{codec.PayloadType} {codec.Fmtp}");
            }

            if (section.Rtx is { } rtx)
            {
                Line(sdp, $"a=rtpmap:{rtx.PayloadType} rtx/{codec.ClockRate}");
                Line(sdp, $"a=fmtp:{rtx.PayloadType} apt={codec.PayloadType}");
            }

            if (section.ReceiveRids is { Count: > 0 } rids)
            {
                foreach (string rid in rids)
                {
                    Line(sdp, $"a=rid:{rid} recv");
                }

                Line(sdp, $"a=simulcast:recv {string.Join(';', rids)}");
            }

            if (section.SendSsrc != 0)
            {
                string msid = section.Msid ?? $"{cname} {section.Kind}0";
                Line(sdp, $"a=msid:{msid}");
                if (section.Rtx is { } repairs)
                {
                    Line(sdp, $"a=ssrc-group:FID {section.SendSsrc} {repairs.Ssrc}");
                }

                foreach (uint ssrc in section.Rtx is { } stream ? [section.SendSsrc, stream.Ssrc] : (uint[])[section.SendSsrc])
                {
                    Line(sdp, $"a=ssrc:{ssrc} cname:{cname}");
                    Line(sdp, $"a=ssrc:{ssrc} msid:{msid}");
                }
            }

            for (int i = 0; i < candidates.Count; i++)
            {
                Line(sdp, $"a={candidates[i].ToSdp(i + 1)}");
            }

            Line(sdp, $"a=end-of-candidates");
        }

        return sdp.ToString();
    }

    public static long NewSessionId() => RandomNumberGenerator.GetInt32(int.MaxValue);

    private static void Line(StringBuilder sdp, FormattableString line) => sdp.Append(line.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
}
