namespace Stagecast.WebRtc.Sdp;

/// <summary>What a publisher (a WHIP session, a meeting peer's send transport) may send, and how its codec is picked.</summary>
/// <param name="PreferVp8">Meetings forward video as it came, and every browser decodes VP8 (Firefox on Debian has no H.264).</param>
/// <param name="AllowAudio">False: an offered audio section is answered inactive (the preset may not produce audio).</param>
/// <param name="AllowVideo">False: the same for video.</param>
/// <param name="AudioLevels">Takes the audio level header extension (RFC 6464) when offered, to follow who speaks.</param>
/// <param name="TransportWideCc">Takes the transport-wide sequence number when offered: the connection sends transport-wide feedback (an <c>SfuPublisher</c> does).</param>
public sealed record PublishPolicy(bool PreferVp8 = false, bool AllowAudio = true, bool AllowVideo = true, bool AudioLevels = false, bool TransportWideCc = false)
{
    public static PublishPolicy Livestream { get; } = new();
}

/// <summary>
/// What a publisher's offer is answered with: for a livestream H.264 in packetization mode 1 when offered (constrained
/// baseline first, since it has no B-frames), else VP8; in a meeting VP8 first; Opus for audio. Only one audio and one
/// video section are taken; the rest, and kinds the policy forbids, are answered inactive. The transport-wide sequence
/// number is taken on every section taken that offers it (<paramref name="TransportSequenceId"/>): the publisher's
/// connection then sends it transport-wide feedback, which the sender's estimator (Chrome's GCC) runs on.
/// </summary>
public sealed record PublishNegotiation(IReadOnlyList<AnsweredMedia> Media, RtpCodec? Video, RtpCodec? Audio, int AudioLevelId = 0, int TransportSequenceId = 0)
{
    /// <summary>The extensions a taken section answers with: <paramref name="others"/>, and the transport-wide sequence number when offered.</summary>
    internal static string[]? WithTransportSequence(PublishPolicy policy, MediaDescription section, string[]? others, ref int transportSequenceId)
    {
        if (!policy.TransportWideCc || !section.Extensions.TryGetValue(ExtensionUris.TransportWideCc, out int id))
        {
            return others;
        }

        transportSequenceId = transportSequenceId == 0 ? id : transportSequenceId;
        return [.. others ?? [], ExtensionUris.TransportWideCc];
    }

    public static PublishNegotiation Choose(SdpSessionDescription offer) => Choose(offer, PublishPolicy.Livestream);

    public static PublishNegotiation Choose(SdpSessionDescription offer, PublishPolicy policy)
    {
        var media = new List<AnsweredMedia>();
        RtpCodec? video = null;
        RtpCodec? audio = null;
        int audioLevelId = 0;
        int transportSequenceId = 0;
        foreach (var section in offer.Media)
        {
            RtpCodec? chosen = null;
            string[]? extensions = null;
            if (section.IsRtp && section.Direction is "sendonly" or "sendrecv")
            {
                if (section.Kind == "video" && video is null && policy.AllowVideo)
                {
                    chosen = video = PickVideo(section, policy.PreferVp8);
                }
                else if (section.Kind == "audio" && audio is null && policy.AllowAudio)
                {
                    chosen = audio = PickAudio(section);
                    if (chosen is not null && policy.AudioLevels && section.Extensions.TryGetValue(ExtensionUris.AudioLevel, out int id))
                    {
                        audioLevelId = id;
                        extensions = [ExtensionUris.AudioLevel];
                    }
                }
            }

            if (chosen is not null)
            {
                extensions = WithTransportSequence(policy, section, extensions, ref transportSequenceId);
            }

            media.Add(new AnsweredMedia(section, chosen, "recvonly", Extensions: extensions));
        }

        if (video is null && audio is null)
        {
            bool offeredVideo = offer.Media.Any(m => m.Kind == "video");
            throw new SdpException(offeredVideo
                ? "the offer has no codec Stagecast takes: video must be H.264 (packetization-mode=1) or VP8, audio Opus"
                : "the offer sends no audio or video (sendonly or sendrecv sections with Opus, H.264 or VP8)");
        }

        if (video is null && policy.AllowVideo && offer.Media.Any(m => m.Kind == "video" && m.Direction is "sendonly" or "sendrecv"))
        {
            throw new SdpException("the offer's video has no codec Stagecast takes: H.264 with packetization-mode=1, or VP8");
        }

        return new PublishNegotiation(media, video, audio, audioLevelId, transportSequenceId);
    }

    /// <summary>The section's Opus (48 kHz, stereo as browsers offer it), or null.</summary>
    internal static RtpCodec? PickAudio(MediaDescription section) =>
        section.Codecs.Values.FirstOrDefault(c => c.Is("opus") && c.ClockRate == 48000 && c.Channels == 2);

    /// <summary>The section's VP8 when preferred, else H.264 in packetization mode 1 (constrained baseline first), else VP8; or null.</summary>
    internal static RtpCodec? PickVideo(MediaDescription section, bool preferVp8)
    {
        var vp8 = section.Codecs.Values.FirstOrDefault(c => c.Is("VP8"));
        if (preferVp8 && vp8 is not null)
        {
            return vp8;
        }

        var h264 = section.Codecs.Values.Where(c => c.IsH264NonInterleaved).ToList();
        return h264.FirstOrDefault(c => c.FmtpParameter("profile-level-id") is { } id && id.StartsWith("42e0", StringComparison.OrdinalIgnoreCase))
            ?? h264.FirstOrDefault(c => c.H264ProfileIdc == 0x42)
            ?? h264.FirstOrDefault()
            ?? vp8;
    }
}
