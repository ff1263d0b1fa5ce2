using Stagecast.Media.Codecs;
using Stagecast.Streaming;
using Stagecast.WebRtc.Sdp;

namespace Stagecast.WebRtc.Whep;

/// <summary>
/// What a WHEP offer is answered with for a live stream. Forwarded: a WebRTC publisher's own codecs (VP8 as it came,
/// H.264 with its profile, Opus) so its RTP goes to the viewer as it is. From the hub: its H.264 under a payload type
/// the viewer offered with the same profile (browsers decode High profile announced as such), and Opus. A stream WebRTC
/// cannot carry (HEVC, AV1, B-frames) is refused with the reason. Video repairs go on a retransmission stream when the
/// viewer offered <c>rtx</c> for the codec chosen (<see cref="VideoRtx"/>).
/// </summary>
public sealed record WhepNegotiation(IReadOnlyList<AnsweredMedia> Media, RtpCodec? Video, RtpCodec? Audio, uint VideoSsrc, uint AudioSsrc, bool Forwarded)
{
    /// <summary>The stream the video's NACKed packets are sent again on (RFC 4588), or null: sent again as they were.</summary>
    public Rtp.RetransmissionStream? VideoRtx { get; init; }

    /// <summary>The id of the transport-wide sequence number every packet sent carries (the offer's), or 0: not in use.</summary>
    public int TransportSequenceId { get; init; }

    /// <summary>
    /// For a stream whose publisher sends RTP: its own codecs, or null when the viewer does not take them (the hub's
    /// H.264 and Opus serve it then). With <paramref name="transportWideCc"/> the transport-wide sequence number is taken
    /// when offered (congestion control: the viewer's feedback is the downlink's estimate).
    /// </summary>
    public static WhepNegotiation? ChooseForwarded(SdpSessionDescription offer, HubStream stream, bool transportWideCc = false)
    {
        if (stream.RtpVideo is null && stream.RtpAudio is null)
        {
            return null;
        }

        var published = stream.RtpVideo is { } format ? RtpCodec.From(format) : null;
        var negotiation = Negotiate(offer, forwarded: true, transportWideCc, stream.RtpAudio is not null, published is null ? null
            : section => published.Is("VP8") ? section.Codecs.Values.FirstOrDefault(c => c.Is("VP8")) : PickH264(section, published.H264ProfileIdc));
        bool videoRefused = published is not null && negotiation.Video is null && offer.Media.Any(m => m.Kind == "video");
        return videoRefused || (negotiation.Video is null && negotiation.Audio is null) ? null : negotiation;
    }

    /// <summary>
    /// A meeting subscriber of one peer's source: the publisher's codecs as they came, and for a track it does not send
    /// yet the meeting's default (VP8, else H.264; Opus), so the track reaches this session when it starts, without a
    /// new offer. <paramref name="audio"/> false leaves audio out (a subscriber never gets its own). With
    /// <paramref name="transportWideCc"/> the transport-wide sequence number is taken when offered.
    /// </summary>
    public static WhepNegotiation ChooseForSubscriber(SdpSessionDescription offer, HubStream stream, bool audio, bool transportWideCc = false)
    {
        var published = stream.RtpVideo is { } format ? RtpCodec.From(format) : null;
        var negotiation = Negotiate(offer, forwarded: true, transportWideCc, audio, section => published switch
        {
            null => section.Codecs.Values.FirstOrDefault(c => c.Is("VP8")) ?? PickH264(section, 0x42),
            _ when published.Is("VP8") => section.Codecs.Values.FirstOrDefault(c => c.Is("VP8")),
            _ => PickH264(section, published.H264ProfileIdc),
        });
        if (published is not null && negotiation.Video is null && offer.Media.Any(m => m.Kind == "video" && m.Direction is "recvonly" or "sendrecv"))
        {
            throw new SdpException($"the peer sends {published.Name} video, which this offer does not receive");
        }

        return negotiation.Video is null && negotiation.Audio is null
            ? throw new SdpException("the offer receives nothing this peer can send: VP8 or H.264 (packetization-mode=1) video, Opus audio")
            : negotiation;
    }

    public static WhepNegotiation Choose(SdpSessionDescription offer, HubStream stream)
    {
        if (stream.Video is { Codec: not VideoCodec.H264 } other)
        {
            throw new SdpException($"the stream's video is {other.Codec}, which WebRTC players cannot receive; publish H.264 to watch over WHEP");
        }

        if (stream.VideoHasReordering)
        {
            throw new SdpException("the stream's H.264 has B-frames, which WebRTC cannot carry; publish without B-frames (e.g. x264 -bf 0 or OBS's zerolatency tune) to watch over WHEP");
        }

        var negotiation = Negotiate(offer, forwarded: false, transportWideCc: false, stream.Audio is not null, stream.Video is not { } config ? null
            : section => PickH264(section, config.ConfigurationRecord.Length > 1 ? config.ConfigurationRecord[1] : 0x42));
        return negotiation.Video is null && negotiation.Audio is null
            ? throw new SdpException(stream.Video is null && stream.Audio is null
                ? "the stream has no media yet; try again once it is live"
                : "the offer receives no codec the stream can be sent in: H.264 with packetization-mode=1 for video, Opus for audio")
            : negotiation;
    }

    /// <summary>
    /// One pass over the offer's sections: the first receiving video and audio sections get a codec, the rest none; each
    /// taken section takes the transport-wide sequence number with <paramref name="transportWideCc"/>, when offered.
    /// </summary>
    private static WhepNegotiation Negotiate(SdpSessionDescription offer, bool forwarded, bool transportWideCc, bool hasAudio, Func<MediaDescription, RtpCodec?>? pickVideo)
    {
        int transportSequenceId = transportWideCc ? ExtensionUris.TransportWideCcId(offer) : 0;
        IReadOnlyList<string>? extensions = transportSequenceId > 0 ? [ExtensionUris.TransportWideCc] : null;
        uint videoSsrc = (uint)Random.Shared.Next(1, int.MaxValue);
        uint audioSsrc = (uint)Random.Shared.Next(1, int.MaxValue);
        RtpCodec? video = null;
        RtpCodec? audio = null;
        Rtp.RetransmissionStream? videoRtx = null;
        var media = new List<AnsweredMedia>();
        foreach (var section in offer.Media)
        {
            RtpCodec? chosen = null;
            Rtp.RetransmissionStream? rtx = null;
            uint ssrc = 0;
            if (section.IsRtp && section.Direction is "recvonly" or "sendrecv")
            {
                if (section.Kind == "video" && video is null && pickVideo is not null)
                {
                    chosen = video = pickVideo(section);
                    rtx = videoRtx = chosen is null ? null : Rtp.RetransmissionStream.For(section, chosen);
                    rtx?.Enabled = true; // the answer is ours: in use from the start
                    ssrc = videoSsrc;
                }
                else if (section.Kind == "audio" && audio is null && hasAudio)
                {
                    chosen = audio = section.Codecs.Values.FirstOrDefault(c => c.Is("opus") && c.ClockRate == 48000 && c.Channels == 2);
                    ssrc = audioSsrc;
                }
            }

            media.Add(new AnsweredMedia(section, chosen, "sendonly", chosen is null ? 0 : ssrc, chosen is null ? null : extensions, Rtx: rtx?.Description));
        }

        return new WhepNegotiation(media, video, audio, videoSsrc, audioSsrc, forwarded) { VideoRtx = videoRtx, TransportSequenceId = transportSequenceId };
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
