using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Stagecast.Restream;
using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Features.Outputs;
using Stagecast.Server.Features.Programs;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Api;
using Stagecast.Server.Hosting.Security;
using Stagecast.Streaming;

namespace Stagecast.Server.Features.RoomStreams;

/// <summary>
/// Room streams (SignalWire's <c>RoomSessionStream</c>): a meeting's program pushed to RTMP(S) URLs while its session
/// lasts. Each stream is a restream worker reading the meeting's stream in the program hub, so a dead destination
/// retries with backoff on its own and never disturbs the program or another destination. A stream completes when
/// it is stopped or its session ends; the meeting's <c>room_streams</c> start with every session.
/// </summary>
public sealed partial class RoomStreamService(
    IRoomStreamStore store,
    MeetingPrograms programs,
    MeetingRooms rooms,
    OutputDestinations destinations,
    StreamKeyProtector keys,
    IOptions<RestreamOptions> options,
    IOptions<RoomStreamsOptions> limits,
    TimeProvider time,
    ILoggerFactory loggers) : IMeetingSessionObserver, IHubStreamObserver
{
    private static readonly TimeSpan StopWait = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, Active> _active = new(StringComparer.Ordinal);
    private readonly Lock _admission = new();
    private readonly ILogger _logger = loggers.CreateLogger<RoomStreamService>();

    /// <summary>Starts pushing the meeting's program to <paramref name="url"/> in its session in progress.</summary>
    public async Task<RoomStreamView> StartAsync(Meeting meeting, string url, CancellationToken cancellationToken)
    {
        var uri = new Uri(url);
        if (await destinations.CheckAsync(uri, cancellationToken).ConfigureAwait(false) is { } refusal)
        {
            throw ApiException.BadRequest(refusal);
        }

        string sessionId = rooms.Find(meeting.Id)?.SessionId ?? throw ApiException.Conflict($"meeting {meeting.Id} has no active session");
        var record = new RoomStream(Guid.NewGuid().ToString(), meeting.AppId, meeting.Id, sessionId, keys.Protect(url), RestreamDestination.Mask(url),
            false, "connecting", null, 0, time.GetUtcNow(), null);
        var active = new Active(record, new RestreamDestination(uri, ""));
        Admit(active);
        bool acquired = false;
        try
        {
            await programs.AdmitAsync(meeting.AppId, meeting.Id, cancellationToken).ConfigureAwait(false);
            await programs.AcquireProgramStreamAsync(meeting.Id).ConfigureAwait(false);
            acquired = true;
            await store.CreateAsync(record, CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            // Refused (the programs it may run are all running) or not saved: nothing of it is left running.
            _active.TryRemove(record.Id, out _);
            await StopWorkerAsync(active).ConfigureAwait(false);
            if (acquired)
            {
                await programs.ReleaseProgramStreamAsync(meeting.Id).ConfigureAwait(false);
            }

            throw;
        }

        if (programs.ProgramHub.Find(meeting.Id) is { State: not HubStreamState.Ended } program)
        {
            StartWorker(active, program);
        }

        Log.Started(_logger, record.Id, meeting.Id, record.MaskedUrl);
        var view = View(active);
        rooms.Find(meeting.Id)?.Publish(new RoomStreamStarted(view));
        return view;
    }

    /// <summary>Stops a stream; null when it is not running (already completed, or unknown).</summary>
    public async Task<RoomStreamView?> StopAsync(string id, string reason)
    {
        if (!_active.TryRemove(id, out var active))
        {
            return null;
        }

        var state = await StopWorkerAsync(active).ConfigureAwait(false);
        var ended = time.GetUtcNow();
        active.Record = active.Record with
        {
            Completed = true,
            EndedAt = ended,
            Status = "idle",
            LastError = state.LastError,
            BytesSent = state.BytesSent,
        };
        await store.CompleteAsync(id, ended, "idle", state.LastError, state.BytesSent, CancellationToken.None).ConfigureAwait(false);
        string meetingId = active.Record.MeetingId;
        await programs.ReleaseProgramStreamAsync(meetingId).ConfigureAwait(false);

        Log.Stopped(_logger, id, meetingId, reason);
        var view = View(active);
        rooms.Find(meetingId)?.Publish(new RoomStreamEnded(view));
        return view;
    }

    /// <summary>
    /// Takes a stream in, or refuses it past <see cref="RoomStreamsOptions.MaxPerMeeting"/> running in its meeting:
    /// counted and added in one step, so requests that arrive together cannot all pass.
    /// </summary>
    private void Admit(Active active)
    {
        int max = limits.Value.MaxPerMeeting;
        lock (_admission)
        {
            if (_active.Values.Count(a => a.Record.MeetingId == active.Record.MeetingId) >= max)
            {
                throw new DomainException(DomainError.TooMany,
                    $"meeting {active.Record.MeetingId} already has {max} room streams running, the most this server allows at once; stop one first");
            }

            _active[active.Record.Id] = active;
        }
    }

    /// <summary>Stops the stream's worker, if it has one, and says where it stood.</summary>
    private static async Task<RestreamState> StopWorkerAsync(Active active)
    {
        RestreamWorker? worker;
        lock (active)
        {
            active.Stopped = true;
            worker = active.Worker;
        }

        if (worker is not null)
        {
            await worker.StopAsync().WaitAsync(StopWait).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        return worker?.State ?? RestreamState.Initial;
    }

    /// <summary>A stream as the API shows it: live state while it runs, the stored record once completed.</summary>
    public RoomStreamView View(RoomStream record) => _active.TryGetValue(record.Id, out var active) ? View(active) : ViewOf(record, null);

    public bool IsRunning(string id) => _active.ContainsKey(id);

    public async Task OnSessionStartedAsync(Meeting meeting, string sessionId)
    {
        foreach (string url in meeting.RoomStreams ?? [])
        {
            try
            {
                await StartAsync(meeting, url, CancellationToken.None).ConfigureAwait(false);
            }
            catch (ApiException ex)
            {
                Log.AutoStartRefused(_logger, meeting.Id, RestreamDestination.Mask(url), ex.Message);
            }
        }
    }

    public async Task OnSessionEndedAsync(Meeting meeting, string sessionId)
    {
        foreach (var active in _active.Values.Where(a => a.Record.SessionId == sessionId).ToList())
        {
            await StopAsync(active.Record.Id, "the meeting session ended").ConfigureAwait(false);
        }
    }

    /// <summary>The meeting's program went live in the program hub: its waiting streams start pushing.</summary>
    public void OnStreamStarted(HubStream stream)
    {
        foreach (var active in _active.Values.Where(a => a.Record.MeetingId == stream.Id))
        {
            StartWorker(active, stream);
        }
    }

    private void StartWorker(Active active, HubStream program)
    {
        RestreamWorker worker;
        lock (active)
        {
            if (active.Stopped || (active.Worker is { } running && !running.Completion.IsCompleted))
            {
                return;
            }

            worker = new RestreamWorker($"room stream {active.Record.Id}", program, active.Destination, options.Value, time,
                loggers.CreateLogger<RestreamWorker>(), destinations);
            active.Worker = worker;
        }

        worker.Start();
    }

    private static RoomStreamView View(Active active)
    {
        RestreamState? state;
        lock (active)
        {
            state = active.Worker?.State;
        }

        return ViewOf(active.Record, state);
    }

    private static RoomStreamView ViewOf(RoomStream record, RestreamState? state) => new(
        record.Id,
        record.MeetingId,
        record.SessionId,
        record.Completed ? "completed" : "streaming",
        record.MaskedUrl,
        record.EndedAt is { } ended ? Math.Round((ended - record.StartedAt).TotalSeconds, 3) : null,
        record.StartedAt,
        record.EndedAt,
        record.Completed ? record.Status : (state?.Status ?? RestreamStatus.Connecting).ToString().ToLowerInvariant(),
        state?.LastError ?? record.LastError,
        state?.BytesSent ?? record.BytesSent);

    private sealed class Active(RoomStream record, RestreamDestination destination)
    {
        public RoomStream Record { get; set; } = record;

        public RestreamDestination Destination { get; } = destination;

        public RestreamWorker? Worker { get; set; }

        public bool Stopped { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Room stream {StreamId} of meeting {MeetingId} started to {Url}")]
        public static partial void Started(ILogger logger, string streamId, string meetingId, string url);

        [LoggerMessage(2, LogLevel.Information, "Room stream {StreamId} of meeting {MeetingId} completed: {Reason}")]
        public static partial void Stopped(ILogger logger, string streamId, string meetingId, string reason);

        [LoggerMessage(3, LogLevel.Warning, "Meeting {MeetingId}'s room stream to {Url} was not started: {Reason}")]
        public static partial void AutoStartRefused(ILogger logger, string meetingId, string url, string reason);
    }
}
