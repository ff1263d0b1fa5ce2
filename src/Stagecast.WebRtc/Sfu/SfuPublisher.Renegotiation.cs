using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Whip;

namespace Stagecast.WebRtc.Sfu;

/// <summary>
/// A publisher on a connection that outlives one offer, as RealtimeKit's send transport does: the client connects
/// before it has joined the meeting (so before the streams it will publish to are known) and offers again each time it
/// adds or stops a track. Its publications are made as the client produces (<see cref="CreatePublication"/>); each
/// new offer's answer becomes their tracks through <see cref="Renegotiate"/>.
/// </summary>
public sealed partial class SfuPublisher
{
    /// <summary>
    /// The client offered again (it added, paused or stopped a track): each publication's tracks become those of the
    /// m-lines named for it. A track that continues on the same m-line with the same codec keeps what it counted and
    /// whether it is muted; a new one starts unmuted, and the stream's readers learn the new formats.
    /// </summary>
    public void Renegotiate(WhipNegotiation negotiation, IReadOnlyList<SfuPublicationMids> publications)
    {
        SetTracks(negotiation, publications);
        foreach (var (publication, _, _) in publications)
        {
            publication.Publisher?.SetRtpFormats(publication.Video?.Codec.Format, publication.Audio?.Codec.Format);
            publication.Listener.OnTracksChanged(publication);
        }
    }

    private void SetTracks(WhipNegotiation negotiation, IReadOnlyList<SfuPublicationMids> publications)
    {
        lock (Sync)
        {
            foreach (var (publication, audioMid, videoMid) in publications)
            {
                publication.Audio = Continue(publication.Audio, publication.AudioMid, Receiving(negotiation, audioMid), audioMid, video: false);
                publication.Video = Continue(publication.Video, publication.VideoMid, Receiving(negotiation, videoMid), videoMid, video: true);
                (publication.AudioMid, publication.VideoMid) = (publication.Audio is null ? null : audioMid, publication.Video is null ? null : videoMid);
            }

            Negotiation = negotiation;
            RouteTracks(_publications);
            _lastPacket = Transport.Time.GetTimestamp(); // a new track gets the whole media timeout to start
        }
    }

    /// <summary>Where each publication's packets go: by the SSRCs each track's m-line announced, and by payload type.</summary>
    private void RouteTracks(List<SfuPublication> publications)
    {
        _bySsrc.Clear();
        _routes.Clear();
        foreach (var publication in publications)
        {
            foreach (var (track, mid) in new[] { (publication.Video, publication.VideoMid), (publication.Audio, publication.AudioMid) })
            {
                if (track is null)
                {
                    continue;
                }

                var ssrcs = Negotiation.Media.FirstOrDefault(m => m.Offer.Mid == mid)?.Offer.Ssrcs ?? [];
                var route = new Route(publication, track, ssrcs.Count > 0);
                _routes.Add(route);
                foreach (uint ssrc in ssrcs)
                {
                    _bySsrc[ssrc] = route;
                }
            }
        }
    }

    /// <summary>The codec of the m-line <paramref name="mid"/> when the client sends on it; null when it does not (or none is named).</summary>
    private static RtpCodec? Receiving(WhipNegotiation negotiation, string? mid) =>
        mid is null ? null : negotiation.Media.FirstOrDefault(m => m.Offer.Mid == mid && m.Direction == "recvonly")?.Codec;

    private SfuTrack? Continue(SfuTrack? current, string? currentMid, RtpCodec? codec, string? mid, bool video) =>
        codec is null ? null
        : current is not null && currentMid == mid && current.Codec.PayloadType == codec.PayloadType && current.Codec.Is(codec.Name) ? current
        : new SfuTrack(video, codec, Transport.Time);

    /// <summary>The mid of the m-line whose answer carries <paramref name="codec"/> (the codec the negotiation chose there).</summary>
    private static string? MidOf(WhipNegotiation negotiation, RtpCodec? codec) =>
        codec is null ? null : negotiation.Media.FirstOrDefault(m => ReferenceEquals(m.Codec, codec))?.Offer.Mid;
}
