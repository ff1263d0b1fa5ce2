using Stagecast.WebRtc.Sdp;

namespace Stagecast.WebRtc.Whip;

/// <summary>
/// What a WHIP offer is answered with: H.264 in packetization mode 1 when offered (constrained baseline first, since it
/// has no B-frames), else VP8; Opus for audio. Only one audio and one video section are taken; the rest are rejected.
/// </summary>
public sealed record WhipNegotiation(IReadOnlyList<AnsweredMedia> Media, RtpCodec? Video, RtpCodec? Audio)
{
    public static WhipNegotiation Choose(SessionDescription offer)
    {
        var media = new List<AnsweredMedia>();
        RtpCodec? video = null;
        RtpCodec? audio = null;
        foreach (var section in offer.Media)
        {
            RtpCodec? chosen = null;
            if (section.IsRtp && section.Direction is "sendonly" or "sendrecv")
            {
                if (section.Kind == "video" && video is null)
                {
                    chosen = video = PickVideo(section);
                }
                else if (section.Kind == "audio" && audio is null)
                {
                    chosen = audio = section.Codecs.Values.FirstOrDefault(c => c.Is("opus") && c.ClockRate == 48000 && c.Channels == 2);
                }
            }

            media.Add(new AnsweredMedia(section, chosen, "recvonly"));
        }

        if (video is null && audio is null)
        {
            bool offeredVideo = offer.Media.Any(m => m.Kind == "video");
            throw new SdpException(offeredVideo
                ? "the offer has no codec Stagecast takes: video must be H.264 (packetization-mode=1) or VP8, audio Opus"
                : "the offer sends no audio or video (sendonly or sendrecv sections with Opus, H.264 or VP8)");
        }

        if (video is null && offer.Media.Any(m => m.Kind == "video" && m.Direction is "sendonly" or "sendrecv"))
        {
            throw new SdpException("the offer's video has no codec Stagecast takes: H.264 with packetization-mode=1, or VP8");
        }

        return new WhipNegotiation(media, video, audio);
    }

    private static RtpCodec? PickVideo(MediaDescription section)
    {
        var h264 = section.Codecs.Values.Where(c => c.IsH264NonInterleaved).ToList();
        return h264.FirstOrDefault(c => c.FmtpParameter("profile-level-id") is { } id && id.StartsWith("42e0", StringComparison.OrdinalIgnoreCase))
            ?? h264.FirstOrDefault(c => c.H264ProfileIdc == 0x42)
            ?? h264.FirstOrDefault()
            ?? section.Codecs.Values.FirstOrDefault(c => c.Is("VP8"));
    }
}
