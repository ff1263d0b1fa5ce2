using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Stagecast.WebRtc.Ice;

namespace Stagecast.WebRtc.Sdp;

/// <summary>
/// What the answer says about one offered m= section: the codec chosen (null rejects it), our direction, what we send,
/// and the offered header extensions we take (by URI, under the offer's ids).
/// </summary>
public sealed record AnsweredMedia(MediaDescription Offer, RtpCodec? Codec, string Direction, uint SendSsrc = 0, IReadOnlyList<string>? Extensions = null);

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
    public static string Build(IceCredentials ice, string fingerprint, IReadOnlyList<IceCandidate> candidates, IReadOnlyList<AnsweredMedia> media, string cname)
    {
        var sdp = new StringBuilder(2048);
        long sessionId = RandomNumberGenerator.GetInt32(int.MaxValue);
        Line(sdp, $"v=0");
        Line(sdp, $"o=- {sessionId} 2 IN IP4 127.0.0.1");
        Line(sdp, $"s=-");
        Line(sdp, $"t=0 0");
        Line(sdp, $"a=ice-lite");
        var bundled = media.Where(m => m.Codec is not null).Select(m => m.Offer.Mid);
        Line(sdp, $"a=group:BUNDLE {string.Join(' ', bundled)}");
        Line(sdp, $"a=msid-semantic: WMS {cname}");
        foreach (var section in media)
        {
            if (section.Codec is not { } codec)
            {
                int format = section.Offer.Formats.Count > 0 ? section.Offer.Formats[0] : 0;
                Line(sdp, $"m={section.Offer.Kind} 0 {section.Offer.Protocol} {format}");
                Line(sdp, $"c=IN IP4 0.0.0.0");
                Line(sdp, $"a=mid:{section.Offer.Mid}");
                Line(sdp, $"a=inactive");
                continue;
            }

            Line(sdp, $"m={section.Offer.Kind} 9 UDP/TLS/RTP/SAVPF {codec.PayloadType}");
            Line(sdp, $"c=IN IP4 0.0.0.0");
            Line(sdp, $"a=rtcp:9 IN IP4 0.0.0.0");
            Line(sdp, $"a=ice-ufrag:{ice.Ufrag}");
            Line(sdp, $"a=ice-pwd:{ice.Password}");
            Line(sdp, $"a=ice-options:trickle");
            Line(sdp, $"a=fingerprint:sha-256 {fingerprint}");
            Line(sdp, $"a=setup:passive");
            Line(sdp, $"a=mid:{section.Offer.Mid}");
            Line(sdp, $"a={section.Direction}");
            Line(sdp, $"a=rtcp-mux");
            Line(sdp, $"a=rtcp-rsize");
            foreach (string uri in section.Extensions ?? [])
            {
                if (section.Offer.Extensions.TryGetValue(uri, out int id))
                {
                    Line(sdp, $"a=extmap:{id} {uri}");
                }
            }

            string channels = codec.Channels > 1 ? $"/{codec.Channels}" : string.Empty;
            Line(sdp, $"a=rtpmap:{codec.PayloadType} {codec.Name}/{codec.ClockRate}{channels}");
            if (section.Offer.Kind == "video")
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

            if (section.SendSsrc != 0)
            {
                Line(sdp, $"a=msid:{cname} {section.Offer.Kind}0");
                Line(sdp, $"a=ssrc:{section.SendSsrc} cname:{cname}");
                Line(sdp, $"a=ssrc:{section.SendSsrc} msid:{cname} {section.Offer.Kind}0");
            }

            for (int i = 0; i < candidates.Count; i++)
            {
                Line(sdp, $"a={candidates[i].ToSdp(i + 1)}");
            }

            Line(sdp, $"a=end-of-candidates");
        }

        return sdp.ToString();
    }

    private static void Line(StringBuilder sdp, FormattableString line) => sdp.Append(line.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
}
