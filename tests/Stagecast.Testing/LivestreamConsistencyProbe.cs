using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;

namespace Stagecast.Testing;

/// <summary>
/// Polls a livestream through the API as fast as the server answers, from one or more clients (nodes), and writes
/// down every answer in which the livestream's state and its sessions disagree: LIVE without an open session or an
/// open session without LIVE (in <c>GET /livestreams/{id}</c> and in <c>active-livestream-session</c>), and a session
/// id the API has returned that <c>GET /livestreams/sessions/{id}</c> does not find.
/// </summary>
public sealed class LivestreamConsistencyProbe : IAsyncDisposable
{
    private readonly string _livestreamId;
    private readonly ConcurrentQueue<string> _disagreements = new();
    private readonly ConcurrentDictionary<string, bool> _sessionIds = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _pollers;
    private readonly long[] _rounds;
    private long _liveAnswers;

    public LivestreamConsistencyProbe(string livestreamId, params StagecastApiClient[] clients)
    {
        _livestreamId = livestreamId;
        _rounds = new long[clients.Length];
        _pollers = [.. clients.Select((client, i) => Task.Run(() => PollAsync(client, i)))];
    }

    public IReadOnlyCollection<string> Disagreements => _disagreements;

    /// <summary>Answers that showed the livestream LIVE.</summary>
    public long LiveAnswers => Interlocked.Read(ref _liveAnswers);

    /// <summary>Distinct session ids the API returned.</summary>
    public int SessionsSeen => _sessionIds.Count;

    /// <summary>
    /// Until every poller has made a whole round begun from now: what the API shows now has been read (a round under
    /// way may have read before the last change).
    /// </summary>
    public Task ReadAgainAsync()
    {
        long[] now = [.. _rounds.Select((_, i) => Interlocked.Read(ref _rounds[i]))];
        return Eventually.TrueAsync(() => now.Select((n, i) => Interlocked.Read(ref _rounds[i]) >= n + 2).All(done => done), "every poller to read the livestream again");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_pollers);
        _stop.Dispose();
    }

    private async Task PollAsync(StagecastApiClient client, int index)
    {
        string name = $"client {index}";
        while (!_stop.IsCancellationRequested)
        {
            var details = await client.GetAsync($"/livestreams/{_livestreamId}");
            if (details.Status != HttpStatusCode.OK)
            {
                Disagree(name, $"GET /livestreams/{{id}} answered {(int)details.Status}");
                continue;
            }

            string status = details.Data.GetProperty("livestream").GetProperty("status").GetString()!;
            var latest = details.Data.GetProperty("session");
            bool open = latest.ValueKind != JsonValueKind.Null && IsOpen(latest);
            if ((status == "LIVE") != open)
            {
                Disagree(name, $"GET /livestreams/{{id}}: status {status} beside latest session {Describe(latest)}");
            }

            var sessions = details.Data.GetProperty("sessions").EnumerateArray().ToList();
            if (latest.ValueKind != JsonValueKind.Null && (sessions.Count == 0 || Id(sessions[0]) != Id(latest)))
            {
                Disagree(name, $"GET /livestreams/{{id}}: latest session {Id(latest)} is not the first of its sessions");
            }

            Interlocked.Add(ref _liveAnswers, status == "LIVE" ? 1 : 0);
            var active = await client.GetAsync($"/livestreams/{_livestreamId}/active-livestream-session");
            if (active.Status == HttpStatusCode.OK)
            {
                string activeStatus = active.Data.GetProperty("livestream").GetProperty("status").GetString()!;
                var session = active.Data.GetProperty("session");
                if (activeStatus != "LIVE" || !IsOpen(session))
                {
                    Disagree(name, $"active-livestream-session: status {activeStatus} beside {Describe(session)}");
                }

                sessions.Add(session);
            }
            else if (active.Status != HttpStatusCode.NotFound)
            {
                Disagree(name, $"active-livestream-session answered {(int)active.Status}");
            }

            // Every session id the API has returned resolves from then on (on every node).
            foreach (string id in sessions.Select(Id).Where(id => _sessionIds.TryAdd(id, true)))
            {
                var found = await client.GetAsync($"/livestreams/sessions/{id}");
                if (found.Status != HttpStatusCode.OK)
                {
                    Disagree(name, $"session {id}, returned by the API, answered {(int)found.Status}");
                }
            }

            Interlocked.Increment(ref _rounds[index]);
        }
    }

    private static bool IsOpen(JsonElement session) =>
        session.GetProperty("stopped_time").ValueKind == JsonValueKind.Null && session.GetProperty("started_time").ValueKind != JsonValueKind.Null;

    private static string Id(JsonElement session) => session.GetProperty("id").GetString()!;

    private static string Describe(JsonElement session) => session.ValueKind == JsonValueKind.Null
        ? "no session"
        : $"{Id(session)} (started {session.GetProperty("started_time")}, stopped {session.GetProperty("stopped_time")})";

    private void Disagree(string client, string what)
    {
        if (_disagreements.Count < 50)
        {
            _disagreements.Enqueue($"{client}: {what}");
        }
    }
}
