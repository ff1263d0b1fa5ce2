using Dapper;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Hosting.Database;
using static Stagecast.Server.Hosting.Database.SqlTime;

namespace Stagecast.Server.Features.MeetingMedia;

/// <summary>Ended tracks' figures in <c>session_media_tracks</c> (a track written again keeps its last figures).</summary>
public sealed class SqlMediaTrackStore(SqlDatabase db)
{
    private const string Columns =
        "id, session_id, peer_id, direction, kind, source, producer_id, remote_peer_id, codec, ssrc, started_at, ended_at, packets, bytes, packets_lost, jitter_ms, " +
        "layer, layer_switches, pauses, estimate_bps";

    public Task AddAsync(IReadOnlyCollection<MeetingSessionMediaTrack> tracks, CancellationToken cancellationToken) =>
        tracks.Count == 0 ? Task.CompletedTask : db.InTransactionAsync((c, t) => c.ExecuteAsync(
            $"INSERT INTO session_media_tracks ({Columns}) VALUES (@Id, @SessionId, @PeerId, @Direction, @Kind, @Source, @ProducerId, " +
            "@RemotePeerId, @Codec, @Ssrc, @StartedAt, @EndedAt, @Packets, @Bytes, @PacketsLost, @JitterMs, @Layer, @LayerSwitches, @Pauses, @EstimateBps) " +
            "ON CONFLICT (id) DO UPDATE SET ended_at = excluded.ended_at, packets = excluded.packets, bytes = excluded.bytes, packets_lost = excluded.packets_lost, " +
            "jitter_ms = excluded.jitter_ms, layer = excluded.layer, layer_switches = excluded.layer_switches, pauses = excluded.pauses, estimate_bps = excluded.estimate_bps",
            tracks.Select(track => new
            {
                track.Id, track.SessionId, track.PeerId, Direction = track.Producer ? "producer" : "consumer", Kind = track.Video ? "video" : "audio",
                track.Source, track.ProducerId, track.RemotePeerId, track.Codec, Ssrc = (long)track.Ssrc, StartedAt = Ms(track.StartedAt),
                EndedAt = Ms(track.EndedAt), track.Packets, track.Bytes, track.PacketsLost, track.JitterMs, track.Layer, track.LayerSwitches,
                track.Pauses, track.EstimateBps,
            }), t), cancellationToken);

    public Task<IReadOnlyList<MeetingSessionMediaTrack>> ListAsync(string sessionId, IReadOnlyCollection<string> peerIds, CancellationToken cancellationToken) =>
        db.WithConnectionAsync<IReadOnlyList<MeetingSessionMediaTrack>>(async c => (await c.QueryAsync<Row>(
            $"SELECT {Columns} FROM session_media_tracks WHERE session_id = @sessionId AND {db.Dialect.InList("peer_id", "@peerIds")} ORDER BY started_at",
            new { sessionId, peerIds }).ConfigureAwait(false)).Select(r => r.ToTrack()).ToList(), cancellationToken);

    internal sealed record Row(
        string id, string session_id, string peer_id, string direction, string kind, string source, string producer_id, string? remote_peer_id,
        string codec, long ssrc, long started_at, long? ended_at, long packets, long bytes, long packets_lost, double? jitter_ms,
        string? layer, long layer_switches, long pauses, long? estimate_bps)
    {
        public MeetingSessionMediaTrack ToTrack() => new(
            id, session_id, peer_id, direction == "producer", kind == "video", source, producer_id, remote_peer_id, codec, (uint)ssrc,
            Time(started_at), Time(ended_at), packets, bytes, packets_lost, jitter_ms, layer, layer_switches, pauses, estimate_bps);
    }
}
