using Stagecast.WebRtc.Sdp;

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
    public void Renegotiate(PublishNegotiation negotiation, IReadOnlyList<SfuPublicationMids> publications)
    {
        var (started, ended) = SetTracks(negotiation, publications);
        ended.ForEach(layer => Ended(layer, "the client stopped sending this simulcast layer"));
        started.ForEach(StartPublishing);
        foreach (var (publication, _, _) in publications)
        {
            publication.Publisher?.SetRtpFormats(publication.Video?.Codec.Format, publication.Audio?.Codec.Format);
            publication.Listener.OnTracksChanged(publication);
        }
    }

    /// <summary>Sets the tracks; returns the simulcast layers to start publishing (their publication is) and those ended.</summary>
    private (List<SfuPublication> Started, List<SfuPublication> Ended) SetTracks(PublishNegotiation negotiation, IReadOnlyList<SfuPublicationMids> publications)
    {
        var layers = (Started: new List<SfuPublication>(), Ended: new List<SfuPublication>());
        lock (Sync)
        {
            foreach (var (publication, audioMid, videoMid) in publications)
            {
                publication.Audio = Continue(publication.Audio, publication.AudioMid, Receiving(negotiation, audioMid), audioMid, video: false);
                publication.Video = Continue(publication.Video, publication.VideoMid, Receiving(negotiation, videoMid), videoMid, video: true);
                (publication.AudioMid, publication.VideoMid) = (publication.Audio is null ? null : audioMid, publication.Video is null ? null : videoMid);
                SetLayers(publication, negotiation, layers);
            }

            Negotiation = negotiation;
            RouteTracks(_publications);
            _lastPacket = Transport.Time.GetTimestamp(); // a new track gets the whole media timeout to start
        }

        return layers;
    }

    /// <summary>
    /// A video track answered in simulcast is its first layer; each other becomes a layer publication (kept while the
    /// m-line, codec and RID stay), and the layers no longer sent end.
    /// </summary>
    private void SetLayers(SfuPublication publication, PublishNegotiation negotiation, (List<SfuPublication> Started, List<SfuPublication> Ended) changes)
    {
        var answered = publication.Video is null ? null : negotiation.Media.FirstOrDefault(m => m.Offer.Mid == publication.VideoMid && m.Simulcast);
        List<string> rids = answered?.Offer.SendRids ?? [];
        if (publication.Video is { } video)
        {
            video.Rid = rids.Count > 0 ? rids[0] : null;
        }

        var layers = publication.LayerList;
        bool Kept(SfuPublication layer) => publication.Video is { } video && layer.VideoMid == publication.VideoMid
            && layer.Video!.Codec.PayloadType == video.Codec.PayloadType && rids.Skip(1).Contains(layer.Video.Rid);
        foreach (var layer in layers.Where(l => !Kept(l)).ToList())
        {
            layers.Remove(layer);
            _publications.Remove(layer);
            changes.Ended.Add(layer);
        }

        foreach (string rid in rids.Skip(1).Where(rid => !layers.Any(l => l.Video!.Rid == rid)))
        {
            var layer = new SfuPublication(this, $"{publication.Id}-{rid}", SfuPublication.LayerStreamId(publication.StreamId, rid), LayerListener.Instance, publication)
            {
                Video = new SfuTrack(video: true, publication.Video!.Codec, Transport.Time) { Rid = rid },
                VideoMid = publication.VideoMid,
                Wanted = publication.Wanted,
            };
            layers.Add(layer);
            _publications.Add(layer);
            if (layer.Wanted && _connected)
            {
                changes.Started.Add(layer);
            }
        }
    }

    /// <summary>Where each publication's packets go: by the SSRCs each track's m-line announced, by RID, and by payload type.</summary>
    private void RouteTracks(List<SfuPublication> publications)
    {
        _bySsrc.Clear();
        _routes.Clear();
        _ridExtension = Negotiation.Media.FirstOrDefault(m => m.Simulcast)?.Offer.Extensions[SfuTransportNegotiation.RidExtension] ?? 0;
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

                if (track.Rid is { } rid && _ridSsrcs.TryGetValue(rid, out uint learned))
                {
                    _bySsrc[learned] = route;
                }
            }
        }

        // The SSRCs learned for layers no longer sent are forgotten (at most one per RID the tracks have is kept).
        foreach (string rid in _ridSsrcs.Keys.Where(rid => !_routes.Exists(r => r.Track.Rid == rid)).ToList())
        {
            _ridSsrcs.Remove(rid);
        }
    }

    /// <summary>The codec of the m-line <paramref name="mid"/> when the client sends on it; null when it does not (or none is named).</summary>
    private static RtpCodec? Receiving(PublishNegotiation negotiation, string? mid) =>
        mid is null ? null : negotiation.Media.FirstOrDefault(m => m.Offer.Mid == mid && m.Direction == "recvonly")?.Codec;

    private SfuTrack? Continue(SfuTrack? current, string? currentMid, RtpCodec? codec, string? mid, bool video) =>
        codec is null ? null
        : current is not null && currentMid == mid && current.Codec.PayloadType == codec.PayloadType && current.Codec.Is(codec.Name) ? current
        : new SfuTrack(video, codec, Transport.Time);

    /// <summary>A simulcast layer tells the meeting nothing: its publication speaks for it.</summary>
    private sealed class LayerListener : ISfuPublisherListener
    {
        public static readonly LayerListener Instance = new();

        public void OnConnecting(SfuPublication publication)
        {
        }

        public void OnTracksChanged(SfuPublication publication)
        {
        }

        public void OnClosed(SfuPublication publication, string reason)
        {
        }
    }

    /// <summary>The mid of the m-line whose answer carries <paramref name="codec"/> (the codec the negotiation chose there).</summary>
    private static string? MidOf(PublishNegotiation negotiation, RtpCodec? codec) =>
        codec is null ? null : negotiation.Media.FirstOrDefault(m => ReferenceEquals(m.Codec, codec))?.Offer.Mid;
}
