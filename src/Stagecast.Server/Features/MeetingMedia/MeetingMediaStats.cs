using System.Collections.Concurrent;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.WebRtc.Sfu;
using Stagecast.WebRtc.Whep;

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

    public void Subscribed(string sessionId, Subscription subscription)
    {
        var started = time.GetUtcNow();
        _live[subscription] = ended => Tracks(sessionId, subscription, started, ended);
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

    private static IEnumerable<MeetingSessionMediaTrack> Tracks(string sessionId, Subscription subscription, DateTimeOffset started, DateTimeOffset? ended)
    {
        var session = subscription.Session;
        var negotiation = session.Negotiation;
        foreach (bool video in new[] { true, false })
        {
            if ((video ? negotiation.Video : negotiation.Audio) is not { } codec)
            {
                continue;
            }

            var (packets, octets) = video ? session.VideoSent : session.AudioSent;
            var report = video ? session.VideoReport : session.AudioReport;
            yield return new MeetingSessionMediaTrack($"{session.Id}-{(video ? "v" : "a")}", sessionId, subscription.SubscriberPeerId, false, video,
                subscription.Source.Name(), session.Id, subscription.PublisherPeerId, codec.Name, video ? negotiation.VideoSsrc : negotiation.AudioSsrc,
                started, ended, packets, octets, Math.Max(0, report?.CumulativeLost ?? 0),
                report is { } r ? Math.Round(r.Jitter * 1000.0 / codec.ClockRate, 1) : null);
        }
    }

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
