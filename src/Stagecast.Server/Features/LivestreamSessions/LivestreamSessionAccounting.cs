using System.Collections.Concurrent;
using Stagecast.Hls;
using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Hosting.Database;
using Stagecast.Streaming;

namespace Stagecast.Server.Features.LivestreamSessions;

/// <summary>
/// Turns stream lifecycle into livestream sessions: a stream that starts is a session (LIVE), reconnects within
/// the window keep it, and its end stops it (IDLE, or ERRORED when the publisher was lost). A meeting livestream's
/// media fills in the session opened when it was invoked. The figures come from
/// the media plane: media seconds ingested by the hub, viewer seconds delivered by HLS.
/// </summary>
public sealed class LivestreamSessionAccounting(LivestreamSessionWriter writer, HlsStreamRegistry hls, IEnumerable<IPendingLivestreamSessions> pending, TimeProvider time) : IHubStreamObserver
{
    private readonly ConcurrentDictionary<HubStream, ActiveLivestreamSession> _byStream = new(ReferenceEqualityComparer.Instance);
    private readonly ConcurrentDictionary<string, ActiveLivestreamSession> _byLivestream = new(StringComparer.Ordinal);

    public ICollection<ActiveLivestreamSession> Active => _byStream.Values;

    /// <summary>Raised after a session started (what flushes the live ones runs only while there are some).</summary>
    public event Action? Started;

    public ActiveLivestreamSession? FindActive(string livestreamId) => _byLivestream.GetValueOrDefault(livestreamId);

    /// <summary>Media seconds received and viewer seconds delivered so far.</summary>
    public (double Ingest, double Viewer) Figures(ActiveLivestreamSession session) =>
        (session.Stream.IngestedDuration.TotalSeconds, hls.TryGet(session.Stream, out var output) ? output.Viewers.ViewerSeconds : 0);

    public void OnStreamStarted(HubStream stream)
    {
        // A meeting livestream's media continues the session its invocation opened.
        var session = new ActiveLivestreamSession(pending.Select(p => p.TakePendingSession(stream.Id)).FirstOrDefault(id => id is not null) ?? Guid.NewGuid().ToString(), stream);
        _byStream[stream] = session;
        _byLivestream[stream.Id] = session;
        writer.Enqueue(new LivestreamSessionEvent.Started(session.SessionId, stream.Id, session.StartedTime));
        Started?.Invoke();
    }

    public void OnStreamEnded(HubStream stream)
    {
        if (!_byStream.TryRemove(stream, out var session))
        {
            return;
        }

        _byLivestream.TryRemove(new KeyValuePair<string, ActiveLivestreamSession>(stream.Id, session));
        var (ingest, viewer) = Figures(session);
        bool lost = stream.EndKind == StreamEndKind.PublisherLost;
        string? error = lost ? Describe(stream) : null;
        var stopped = stream.StoppedAt ?? time.GetUtcNow();
        writer.Enqueue(new LivestreamSessionEvent.Ended(
            session.SessionId, stream.Id, session.StartedTime, stopped, error, ingest, viewer, lost ? LivestreamStatus.Errored : LivestreamStatus.Idle));
    }

    /// <summary>Writes the figures of every live session (called periodically).</summary>
    public void Flush()
    {
        var now = time.GetUtcNow();
        var progress = Active.Select(s =>
        {
            var (ingest, viewer) = Figures(s);
            return new LivestreamSessionProgress(s.SessionId, s.LivestreamId, ingest, viewer, now);
        }).ToList();
        if (progress.Count > 0)
        {
            writer.Enqueue(new LivestreamSessionEvent.Progressed(progress));
        }
    }

    private static string Describe(HubStream stream) => stream.LastPublisherError is { } error
        ? $"{error}; the publisher did not reconnect"
        : $"the publisher disconnected without unpublishing and did not reconnect ({stream.EndReason})";
}
