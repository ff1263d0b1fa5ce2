using Stagecast.Media.Codecs;
using Stagecast.Streaming;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Whip;

namespace Stagecast.WebRtc.Whep;

/// <summary>
/// What a WHEP offer is answered with for a given live stream: its H.264 under a payload type the viewer offered with
/// the same profile (browsers decode High profile announced as such), and Opus. A stream WebRTC cannot carry (HEVC,
/// AV1, B-frames) is refused with the reason.
/// </summary>
public sealed record WhepNegotiation(IReadOnlyList<AnsweredMedia> Media, RtpCodec? Video, RtpCodec? Audio, uint VideoSsrc, uint AudioSsrc, WhipSession? Source = null)
{
    /// <summary>
    /// For a stream a WHIP publisher sends: its own codecs (VP8 as it came, or H.264 with its profile) so its RTP can be
    /// forwarded without the hub; null when the viewer does not offer them (the hub's H.264 and AAC serve it then).
    /// </summary>
    public static WhepNegotiation? ChooseForwarded(SessionDescription offer, WhipSession source)
    {
        uint videoSsrc = (uint)Random.Shared.Next(1, int.MaxValue);
        uint audioSsrc = (uint)Random.Shared.Next(1, int.MaxValue);
        RtpCodec? video = null;
        RtpCodec? audio = null;
        var media = new List<AnsweredMedia>();
        foreach (var section in offer.Media)
        {
            RtpCodec? chosen = null;
            uint ssrc = 0;
            if (section.IsRtp && section.Direction is "recvonly" or "sendrecv")
            {
                if (section.Kind == "video" && video is null && source.PublishedVideo is { } published)
                {
                    chosen = video = published.Is("VP8")
                        ? section.Codecs.Values.FirstOrDefault(c => c.Is("VP8"))
                        : PickH264(section, published.H264ProfileIdc);
                    if (chosen is null)
                    {
                        return null;
                    }

                    ssrc = videoSsrc;
                }
                else if (section.Kind == "audio" && audio is null && source.PublishedAudio is not null)
                {
                    chosen = audio = section.Codecs.Values.FirstOrDefault(c => c.Is("opus") && c.ClockRate == 48000 && c.Channels == 2);
                    ssrc = audioSsrc;
                }
            }

            media.Add(new AnsweredMedia(section, chosen, "sendonly", chosen is null ? 0 : ssrc));
        }

        return video is null && audio is null ? null : new WhepNegotiation(media, video, audio, videoSsrc, audioSsrc, source);
    }

    public static WhepNegotiation Choose(SessionDescription offer, LiveStream stream)
    {
        if (stream.Video is { Codec: not VideoCodec.H264 } other)
        {
            throw new SdpException($"the stream's video is {other.Codec}, which WebRTC players cannot receive; publish H.264 to watch over WHEP");
        }

        if (stream.VideoHasReordering)
        {
            throw new SdpException("the stream's H.264 has B-frames, which WebRTC cannot carry; publish without B-frames (e.g. x264 -bf 0 or OBS's zerolatency tune) to watch over WHEP");
        }

        uint videoSsrc = (uint)Random.Shared.Next(1, int.MaxValue);
        uint audioSsrc = (uint)Random.Shared.Next(1, int.MaxValue);
        RtpCodec? video = null;
        RtpCodec? audio = null;
        var media = new List<AnsweredMedia>();
        foreach (var section in offer.Media)
        {
            RtpCodec? chosen = null;
            uint ssrc = 0;
            if (section.IsRtp && section.Direction is "recvonly" or "sendrecv")
            {
                if (section.Kind == "video" && video is null && stream.Video is { } config)
                {
                    chosen = video = PickH264(section, config.ConfigurationRecord.Length > 1 ? config.ConfigurationRecord[1] : 0x42);
                    ssrc = videoSsrc;
                }
                else if (section.Kind == "audio" && audio is null && stream.Audio is not null)
                {
                    chosen = audio = section.Codecs.Values.FirstOrDefault(c => c.Is("opus") && c.ClockRate == 48000 && c.Channels == 2);
                    ssrc = audioSsrc;
                }
            }

            media.Add(new AnsweredMedia(section, chosen, "sendonly", chosen is null ? 0 : ssrc));
        }

        if (video is null && audio is null)
        {
            throw new SdpException(stream.Video is null && stream.Audio is null
                ? "the stream has no media yet; try again once it is live"
                : "the offer receives no codec the stream can be sent in: H.264 with packetization-mode=1 for video, Opus for audio");
        }

        return new WhepNegotiation(media, video, audio, videoSsrc, audioSsrc);
    }

    private static RtpCodec? PickH264(MediaDescription section, int profileIdc)
    {
        var h264 = section.Codecs.Values.Where(c => c.IsH264NonInterleaved).ToList();
        return h264.FirstOrDefault(c => c.H264ProfileIdc == profileIdc && c.FmtpParameter("level-asymmetry-allowed") == "1")
            ?? h264.FirstOrDefault(c => c.H264ProfileIdc == profileIdc)
            ?? h264.FirstOrDefault(c => c.FmtpParameter("level-asymmetry-allowed") == "1")
            ?? h264.FirstOrDefault();
    }
}
