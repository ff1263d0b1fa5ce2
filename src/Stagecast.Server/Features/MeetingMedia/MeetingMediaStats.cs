using System.Collections.Concurrent;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.WebRtc.Sfu;

namespace Stagecast.Server.Features.MeetingMedia;

/// <summary>
/// The session media figures: each publishing session's and subscription's tracks are followed while they live and
/// written when they end; a session's report is what was written plus what lives now.
/// </summary>
public sealed partial class MeetingMediaStats(SqlMediaTrackStore store, TimeProvider time, ILogger<MeetingMediaStats> logger) : IMeetingSessionMediaStats
{
    private readonly ConcurrentDictionary<object, Func<DateTimeOffset?, IEnumerable<MeetingSessionMediaTrack>>> _live = new();

    /// <summary>Follows a publishing session of <paramref name="peerId"/> in session <paramref name="sessionId"/>.</summary>
    public void Publishing(string sessionId, string peerId, MediaSource source, SfuPublication publication) =>
        _live[publication] = ended => Tracks(sessionId, peerId, source, publication, ended);

    /// <summary>Follows a consumer (of either front end) in session <paramref name="sessionId"/>.</summary>
    public void Subscribed(string sessionId, MeetingConsumer consumer)
    {
        var started = time.GetUtcNow();
        _live[consumer] = ended => Tracks(sessionId, consumer, started, ended);
    }

    /// <summary>A publishing session or subscription ended: its figures are written (and shown from memory until they are).</summary>
    public void Ended(object item)
    {
        if (_live.TryGetValue(item, out var tracks))
        {
            var rows = tracks(time.GetUtcNow()).ToList();
            _live[item] = _ => rows;
            _ = WriteAsync(item, rows);
        }
    }

    public async Task<IReadOnlyList<MeetingSessionMediaTrack>> ListAsync(string sessionId, IReadOnlyCollection<string> peerIds, CancellationToken cancellationToken)
    {
        var written = await store.ListAsync(sessionId, peerIds, cancellationToken).ConfigureAwait(false);
        var live = _live.Values.SelectMany(tracks => tracks(null)).Where(t => t.SessionId == sessionId && peerIds.Contains(t.PeerId));
        return [.. written.Where(w => !live.Any(l => l.Id == w.Id)), .. live];
    }

    private static IEnumerable<MeetingSessionMediaTrack> Tracks(string sessionId, string peerId, MediaSource source, SfuPublication publication, DateTimeOffset? ended)
    {
        foreach (var track in new[] { publication.Video, publication.Audio })
        {
            if (track is { StartedAt: { } started })
            {
                yield return new MeetingSessionMediaTrack($"{publication.Id}-{(track.IsVideo ? "v" : "a")}", sessionId, peerId, true, track.IsVideo, source.Name(),
                    publication.Id, null, track.Codec.Name, track.Ssrc, started, ended, track.Packets, track.Bytes, track.Loss.Lost, null);
            }
        }
    }

    private static IEnumerable<MeetingSessionMediaTrack> Tracks(string sessionId, MeetingConsumer consumer, DateTimeOffset started, DateTimeOffset? ended) =>
        consumer.Figures().Select(t => new MeetingSessionMediaTrack(t.Id, sessionId, consumer.SubscriberPeerId, false, t.Video, consumer.Source.Name(),
            consumer.Id, consumer.PublisherPeerId, t.Codec.Name, t.Ssrc, started, ended, t.Packets, t.Octets, t.Lost, t.JitterMs, t.Layer, t.LayerSwitches, t.Pauses,
            t.EstimateBps));

    private async Task WriteAsync(object item, List<MeetingSessionMediaTrack> tracks)
    {
        try
        {
            await store.AddAsync(tracks, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException)
        {
            Log.WriteFailed(logger, ex, tracks.Count);
        }
        finally
        {
            _live.TryRemove(item, out _);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "Writing the figures of {Count} meeting media tracks failed")]
        public static partial void WriteFailed(ILogger logger, Exception exception, int count);
    }
}
