using Stagecast.WebRtc.Rtp;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Whip;

namespace Stagecast.WebRtc.Sfu;

/// <summary>
/// What the offers on a connection that outlives one offer are answered with (RealtimeKit's transports: the client
/// offers first with placeholder m-lines and again for each track it adds or stops). Every RTP m-line stays in the
/// answer and in the bundle, receiving its codec (Opus; video as WHIP picks it, VP8 first in meetings), so the client never
/// reuses a refused one; an m-line the client stopped sending on is answered inactive. Simulcast (<c>a=rid</c>,
/// <c>a=simulcast</c>) is not accepted: the client then sends one encoding. But the RID header extensions of a section
/// offering simulcast are: Chrome refuses its own next offer when simulcast is still offered and the answer took no RID
/// extension. The published tracks are those of the m-lines named, and only of the kinds the policy allows.
/// </summary>
public static class SfuTransportNegotiation
{
    /// <summary>RFC 8852's RID and repaired RID header extensions.</summary>
    private static readonly string[] RidExtensions = ["urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id", "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"];

    public static WhipNegotiation Answer(SdpSessionDescription offer, WhipPolicy policy, string? audioMid = null, string? videoMid = null)
    {
        var media = new List<AnsweredMedia>(offer.Media.Count);
        RtpCodec? video = null;
        RtpCodec? audio = null;
        int audioLevelId = 0;
        foreach (var section in offer.Media)
        {
            var codec = !section.IsRtp ? null
                : section.Kind == "audio" ? WhipNegotiation.PickAudio(section)
                : section.Kind == "video" ? WhipNegotiation.PickVideo(section, policy.PreferVp8)
                : null;
            bool sending = section.Direction is "sendonly" or "sendrecv";
            bool levels = codec is not null && section.Kind == "audio" && policy.AudioLevels && section.Extensions.ContainsKey(AudioLevel.ExtensionUri);
            string[]? extensions = levels ? [AudioLevel.ExtensionUri] : section.Simulcast ? [.. RidExtensions.Where(section.Extensions.ContainsKey)] : null;
            media.Add(new AnsweredMedia(section, codec, sending ? "recvonly" : "inactive", Extensions: extensions));
            if (section.Mid == audioMid)
            {
                audio = Track(section, codec, sending, policy.AllowAudio);
                audioLevelId = levels ? section.Extensions[AudioLevel.ExtensionUri] : 0;
            }
            else if (section.Mid == videoMid)
            {
                video = Track(section, codec, sending, policy.AllowVideo);
            }
        }

        string? missing = audioMid is not null && audio is null ? audioMid : videoMid is not null && video is null ? videoMid : null;
        if (missing is not null)
        {
            throw new SdpException($"the offer has no m-line {missing} sending its track");
        }

        return new WhipNegotiation(media, video, audio, audioLevelId);
    }

    private static RtpCodec? Track(MediaDescription section, RtpCodec? codec, bool sending, bool allowed) =>
        !allowed ? throw new SdpException($"m-line {section.Mid}: the policy does not allow publishing {section.Kind}")
        : codec is null ? throw new SdpException($"m-line {section.Mid} offers no {section.Kind} codec Stagecast takes: Opus, VP8 or H.264 (packetization-mode=1)")
        : sending ? codec : null;
}
