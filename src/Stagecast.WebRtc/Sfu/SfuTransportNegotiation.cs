using Stagecast.WebRtc.Sdp;

namespace Stagecast.WebRtc.Sfu;

/// <summary>
/// What the offers on a connection that outlives one offer are answered with (RealtimeKit's transports: the client
/// offers first with placeholder m-lines and again for each track it adds or stops). Every RTP m-line stays in the
/// answer and in the bundle, receiving its codec (Opus; video as WHIP picks it, VP8 first in meetings), so the client never
/// reuses a refused one; an m-line the client stopped sending on is answered inactive. Simulcast (<c>a=rid</c>,
/// <c>a=simulcast</c>) is accepted on one video m-line, the one named: its layers are told apart by the RID header
/// extension alone (the client announces no SSRCs for them), so two m-lines with the same RIDs could not be. Elsewhere
/// it is refused, and the client sends one encoding; but the RID header extensions of a section offering simulcast are
/// taken: Chrome refuses its own next offer when simulcast is still offered and the answer took no RID extension. The
/// tracks are on the m-lines named, and only of the kinds the policy allows; which stream each goes to is the
/// publisher's (<see cref="SfuPublisher.Renegotiate"/>).
/// </summary>
public static class SfuTransportNegotiation
{
    /// <summary>RFC 8852's RID header extension: which simulcast layer a packet belongs to.</summary>
    public const string RidExtension = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";

    /// <summary>RFC 8852's RID and repaired RID header extensions.</summary>
    private static readonly string[] RidExtensions = [RidExtension, "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"];

    /// <summary>
    /// Answers an offer whose tracks are on the m-lines <paramref name="trackMids"/>: each must send with a codec
    /// Stagecast takes, of a kind the policy allows. The m-line <paramref name="simulcastMid"/>, when it is one of them
    /// and offers two or more layers with the RID header extension, is answered receiving them all.
    /// </summary>
    public static PublishNegotiation Answer(SdpSessionDescription offer, PublishPolicy policy, IReadOnlyCollection<string> trackMids, string? simulcastMid = null)
    {
        var media = new List<AnsweredMedia>(offer.Media.Count);
        int audioLevelId = 0;
        int transportSequenceId = 0;
        foreach (var section in offer.Media)
        {
            var codec = !section.IsRtp ? null
                : section.Kind == "audio" ? PublishNegotiation.PickAudio(section)
                : section.Kind == "video" ? PublishNegotiation.PickVideo(section, policy.PreferVp8)
                : null;
            bool sending = section.Direction is "sendonly" or "sendrecv";
            bool levels = codec is not null && section.Kind == "audio" && policy.AudioLevels && section.Extensions.ContainsKey(ExtensionUris.AudioLevel);
            string[]? extensions = levels ? [ExtensionUris.AudioLevel] : section.Simulcast ? [.. RidExtensions.Where(section.Extensions.ContainsKey)] : null;
            if (codec is not null)
            {
                extensions = PublishNegotiation.WithTransportSequence(policy, section, extensions, ref transportSequenceId);
            }

            bool simulcast = sending && codec is not null && section.Kind == "video" && section.Mid == simulcastMid && trackMids.Contains(section.Mid)
                && section.SendRids.Count > 1 && section.Extensions.ContainsKey(RidExtension);
            media.Add(new AnsweredMedia(section, codec, sending ? "recvonly" : "inactive", Extensions: extensions, Simulcast: simulcast));
            if (trackMids.Contains(section.Mid))
            {
                Check(section, codec, section.Kind == "audio" ? policy.AllowAudio : policy.AllowVideo);
                audioLevelId = levels ? section.Extensions[ExtensionUris.AudioLevel] : audioLevelId;
            }
        }

        if (trackMids.FirstOrDefault(mid => !offer.Media.Any(m => m.Mid == mid && m.Direction is "sendonly" or "sendrecv")) is { } missing)
        {
            throw new SdpException($"the offer has no m-line {missing} sending its track");
        }

        return new PublishNegotiation(media, null, null, audioLevelId, transportSequenceId);
    }

    private static void Check(MediaDescription section, RtpCodec? codec, bool allowed)
    {
        if (!allowed)
        {
            throw new SdpException($"m-line {section.Mid}: the policy does not allow publishing {section.Kind}");
        }

        if (codec is null)
        {
            throw new SdpException($"m-line {section.Mid} offers no {section.Kind} codec Stagecast takes: Opus, VP8 or H.264 (packetization-mode=1)");
        }
    }
}
