using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Stagecast.Server.Features.MeetingMedia;
using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Hosting;
using Stagecast.Speech;
using Stagecast.Streaming;

namespace Stagecast.Server.Features.Transcription;

/// <summary>
/// Live transcripts (docs/ai.md): while the speech engine runs, it follows every meeting's stage (as the meeting's router
/// tells that its sources changed, and its room that a peer or the meeting changed) and listens (<see cref="SpeechListener"/>) to the microphone of each peer on it whose preset has
/// <c>transcription_enabled</c> (of every peer on it, in a meeting with <c>transcribe_on_end</c>); their utterances
/// wait in one queue for the server's <see cref="SpeechWorker"/>. What it hears is kept as the session's transcript
/// and, of a peer whose preset asks, goes to every peer of the meeting as a <see cref="TranscriptHeard"/>, with the
/// speaker's name and times, and into the meeting livestream's captions (<see cref="LivestreamCaptions"/>), recognised
/// as the meeting's <c>ai_config.transcription</c> says (<see cref="AiTranscription"/>: language, keywords, profanity filter). The
/// utterances of an independent livestream's own audio, when it asks for captions, wait in the same queue
/// (<see cref="Queue(StreamUtterance)"/>). When the
/// session ends, its last utterances are recognised and kept, and the app hears of the transcript
/// (<c>meeting.transcript</c>). Work is bounded twice: the server's queue drops its oldest utterance when full, and a
/// meeting (or livestream) with <see cref="TranscriptionOptions.MeetingQueueLength"/> utterances waiting has its next ones
/// dropped, so one busy meeting cannot take every other meeting's captions; both are counted and logged. With the engine off
/// nothing runs.
/// </summary>
public sealed partial class LiveTranscripts(
    SpeechEngine engine,
    IOptions<TranscriptionOptions> options,
    MeetingRooms rooms,
    MeetingMediaService media,
    MeetingMediaHub tracks,
    SessionTranscripts transcripts,
    LivestreamCaptions captions,
    TimeProvider time,
    ILoggerFactory loggers) : IStartupTask, IMeetingSessionObserver, IRoomObserver, IAsyncDisposable
{
    // The follow's states (RequestFollow).
    private const int Idle = 0;
    private const int Following = 1;
    private const int FollowingAgain = 2;

    /// <summary>How long a session's end waits for its last utterances to be recognised.</summary>
    private static readonly TimeSpan FinishWait = TimeSpan.FromMinutes(2);

    private readonly ConcurrentDictionary<string, MeetingListeners> _meetings = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task> _closedSessions = new(StringComparer.Ordinal); // until their end is handled
    private readonly ILogger _logger = loggers.CreateLogger<LiveTranscripts>();
    private readonly TimeProvider _time = time;
    private readonly Lock _following = new();
    private SpeechWorker? _worker;
    private long _droppedInMeetings;
    private int _followState; // Idle, Following, or FollowingAgain: asked again while following

    /// <summary>Whether live transcripts run (the engine loaded).</summary>
    public bool Running => _worker is not null;

    /// <summary>Utterances dropped unrecognised: the server's queue was full, or their meeting's (livestream's).</summary>
    public long Dropped => (_worker?.Dropped ?? 0) + Interlocked.Read(ref _droppedInMeetings);

    /// <summary>Utterances not recognised because too much of them was made up for packets lost on the way.</summary>
    public long Damaged => _worker?.Damaged ?? 0;

    /// <summary>Utterances recognised so far.</summary>
    public long Recognised => _worker?.Recognised ?? 0;

    /// <summary>How many peers are listened to now, in every meeting.</summary>
    public int SpeakerCount => _meetings.Values.Sum(m => m.PeerIds.Length);

    /// <summary>The peers of a meeting listened to now (diagnostics and tests).</summary>
    public IReadOnlyCollection<string> ListeningTo(string meetingId) =>
        _meetings.TryGetValue(meetingId, out var meeting) ? meeting.PeerIds : [];

    public Task RunAsync(CancellationToken cancellationToken)
    {
        if (engine.Recognizer is { } recognizer)
        {
            _worker = new SpeechWorker(recognizer, options.Value.QueueLength, Done, loggers.CreateLogger<SpeechWorker>());
            // On the router's caller (it may hold the room's lock: following takes no room lock, and only adds or
            // removes hub stream readers), so a busy machine's starved thread pool cannot hold it back.
            media.SourcesChanged += _ => RequestFollow();
        }

        return Task.CompletedTask;
    }

    public Task OnSessionStartedAsync(Meeting meeting, string sessionId) => Task.CompletedTask;

    /// <summary>A host changed a peer's permissions (its <c>transcription_enabled</c>, say): listened to or not from now.</summary>
    public void OnPeerChanged(MeetingRoom room, RoomPeer peer) => RequestFollowIfRunning();

    /// <summary>The meeting changed (its <c>transcribe_on_end</c>, its language): followed from now.</summary>
    public void OnMeetingChanged(MeetingRoom room) => RequestFollowIfRunning();

    private void RequestFollowIfRunning()
    {
        if (Running)
        {
            RequestFollow();
        }
    }

    /// <summary>
    /// The session's last words: its listeners stop (each hands on the utterance under way), and once the meeting's
    /// utterances are recognised and kept (or after <see cref="FinishWait"/>) the transcript is complete. Off the
    /// room's closing path: the transcript says "being processed" meanwhile.
    /// </summary>
    public Task OnSessionEndedAsync(Meeting meeting, string sessionId)
    {
        lock (_following)
        {
            if (_meetings.TryGetValue(meeting.Id, out var listeners) && listeners.SessionId == sessionId && _meetings.TryRemove(meeting.Id, out _))
            {
                Close(listeners);
            }
        }

        transcripts.Finish(meeting, sessionId, _closedSessions.TryRemove(sessionId, out var drained) ? drained.WaitAsync(FinishWait, _time) : Task.CompletedTask);
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        lock (_following)
        {
            foreach (var meeting in _meetings.Values)
            {
                Close(meeting);
            }

            _meetings.Clear();
        }

        if (_worker is { } worker)
        {
            await worker.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Follows the speakers now, or, when a follow is under way on another thread, has it go round once more: a caller
    /// never waits (the router's callers are the media threads, and the room's hold its lock).
    /// </summary>
    private void RequestFollow()
    {
        while (true)
        {
            int state = Volatile.Read(ref _followState);
            if (state == FollowingAgain)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _followState, state + 1, state) == state)
            {
                if (state == Idle)
                {
                    FollowUntilCurrent();
                }

                return;
            }
        }
    }

    private void FollowUntilCurrent()
    {
        do
        {
            Volatile.Write(ref _followState, Following);
            Follow();
        }
        while (Interlocked.CompareExchange(ref _followState, Idle, Following) != Following);
    }

    private void Follow()
    {
        lock (_following)
        {
            try
            {
                var live = new HashSet<string>(StringComparer.Ordinal);
                foreach (var room in rooms.All)
                {
                    // A meeting whose language the engine does not recognise (it was saved while another engine ran) is not listened to.
                    var speakers = engine.Refusal(AiTranscription.Of(room.Meeting.AiConfig)) is null ? Speakers(room) : [];
                    if (speakers.Count == 0 && !_meetings.ContainsKey(room.Meeting.Id))
                    {
                        continue;
                    }

                    live.Add(room.Meeting.Id);
                    _meetings.GetOrAdd(room.Meeting.Id, _ => new MeetingListeners(this, room)).Follow(speakers);
                }

                foreach (var (meetingId, meeting) in _meetings)
                {
                    if (!live.Contains(meetingId) && _meetings.TryRemove(meetingId, out _))
                    {
                        Close(meeting);
                    }
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
            {
                LogFollowFailed(ex);
            }
        }
    }

    /// <summary>Stops a meeting's listeners; its session's end waits for what they heard to be kept.</summary>
    private void Close(MeetingListeners meeting)
    {
        meeting.Close();
        if (meeting.SessionId is { } sessionId)
        {
            _closedSessions[sessionId] = meeting.Drained;
        }
    }

    /// <summary>
    /// The peers on the stage whose preset asks for live transcripts (all of them, when the meeting keeps a transcript:
    /// <c>transcribe_on_end</c>), and the streams their microphones are in.
    /// </summary>
    private List<(RoomPeer Peer, HubStream Stream)> Speakers(MeetingRoom room)
    {
        var speakers = new List<(RoomPeer, HubStream)>();
        bool everyone = room.Meeting.TranscribeOnEnd;
        foreach (var (peer, source) in media.Find(room)?.VisibleSources() ?? [])
        {
            if (source == MediaSource.Camera && (everyone || peer.Permissions.TranscriptionEnabled)
                && tracks.Hub.Find(new MeetingStreamKey(room.Meeting.Id, peer.Id, source).HubId) is { RtpAudio.EncodingName: var codec } stream
                && codec.Equals("opus", StringComparison.OrdinalIgnoreCase))
            {
                speakers.Add((peer, stream));
            }
        }

        return speakers;
    }

    private void Queue(MeetingListeners meeting, RoomPeer peer, Utterance utterance, DateTimeOffset began)
    {
        if (_worker is not { } worker)
        {
            return;
        }

        var settings = AiTranscription.Of(meeting.Room.Meeting.AiConfig).Speech(engine.DefaultLanguage);
        if (TryReserve(meeting.Share, $"meeting {meeting.Room.Meeting.Id}") && !worker.Add(new PeerUtterance(meeting, peer, meeting.SessionId, began, utterance, settings)))
        {
            meeting.Release();
        }
    }

    /// <summary>
    /// Queues an utterance of a livestream's own audio, within its share of the queue: its <see cref="StreamUtterance.Heard"/>
    /// gets the words, on the worker's thread. Dropped (and counted) when the engine is off or the livestream has its share waiting.
    /// </summary>
    internal void Queue(StreamUtterance job)
    {
        if (_worker is { } worker && TryReserve(job.Share, $"livestream {job.Speaker}") && !worker.Add(job))
        {
            job.Share.Release();
        }
    }

    /// <summary>Takes a place in the queue for one more utterance of a source (a meeting, a livestream), unless its share waits already.</summary>
    private bool TryReserve(QueueShare share, string source)
    {
        if (share.TryReserve(options.Value.MeetingQueueLength))
        {
            return true;
        }

        long dropped = Interlocked.Increment(ref _droppedInMeetings);
        if (dropped == 1 || dropped % 100 == 0)
        {
            LogBehind(source, dropped);
        }

        return false;
    }

    private void Done(Transcribed result)
    {
        if (result.Job is StreamUtterance stream)
        {
            stream.Share.Release();
            if (result.Outcome == UtteranceOutcome.Heard)
            {
                stream.Heard(stream, result.Text);
            }

            return;
        }

        var job = (PeerUtterance)result.Job;
        if (result.Outcome != UtteranceOutcome.Heard)
        {
            job.Meeting.Release();
            return;
        }

        var peer = job.Peer;
        var line = new TranscriptLine(Guid.NewGuid().ToString(), peer.Id, peer.Participant.Id, peer.Participant.CustomParticipantId,
            peer.Name ?? peer.Participant.Name ?? "", job.Began, job.Began + (job.Utterance.End - job.Utterance.Start), result.Text);
        bool shown = peer.Permissions.TranscriptionEnabled && rooms.Find(job.Meeting.Room.Meeting.Id) == job.Meeting.Room;
        if (shown)
        {
            job.Meeting.Room.Publish(new TranscriptHeard(line));
            captions.Add(job.Meeting.Room.Meeting.Id, line);
        }

        _ = KeepAsync(job, line, shown);
    }

    /// <summary>Keeps a line in its session's transcript; the meeting's place in the queue is given back once it is.</summary>
    private async Task KeepAsync(PeerUtterance job, TranscriptLine line, bool shown)
    {
        try
        {
            if (job.SessionId is { } sessionId)
            {
                await transcripts.AddAsync(sessionId, job.Meeting.Room.Meeting.Id, line, shown).ConfigureAwait(false);
            }
        }
        finally
        {
            job.Meeting.Release();
        }
    }

    /// <summary>An utterance of a peer, of which session (null: none), when it began, and how its meeting wants it recognised.</summary>
    private sealed record PeerUtterance(MeetingListeners Meeting, RoomPeer Peer, string? SessionId, DateTimeOffset Began, Utterance Utterance, SpeechSettings Settings)
        : UtteranceJob(Peer.Id, Utterance, Settings);

    /// <summary>The listeners of one meeting, one per transcribed peer, and how many of its utterances wait.</summary>
    private sealed class MeetingListeners(LiveTranscripts owner, MeetingRoom room)
    {
        private readonly Dictionary<string, SpeechListener> _listeners = new(StringComparer.Ordinal);
        private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile string[] _peerIds = [];
        private volatile bool _closed;

        public MeetingRoom Room { get; } = room;

        /// <summary>How many of its utterances wait.</summary>
        public QueueShare Share { get; } = new();

        /// <summary>The session listened to (the room's when the first speaker was followed).</summary>
        public string? SessionId { get; } = room.SessionId;

        public string[] PeerIds => _peerIds;

        /// <summary>Done once the listeners are closed and nothing of the meeting waits or is being kept.</summary>
        public Task Drained => _drained.Task;

        /// <summary>Listens to exactly <paramref name="speakers"/>: a new publish of a peer's camera gets a new listener.</summary>
        public void Follow(List<(RoomPeer Peer, HubStream Stream)> speakers)
        {
            foreach (var (peerId, listener) in _listeners.ToList())
            {
                if (!speakers.Exists(s => s.Peer.Id == peerId && s.Stream == listener.Stream))
                {
                    listener.Dispose();
                    _listeners.Remove(peerId);
                }
            }

            foreach (var (peer, stream) in speakers)
            {
                if (!_listeners.ContainsKey(peer.Id))
                {
                    _listeners[peer.Id] = new SpeechListener(stream, (utterance, began) => owner.Queue(this, peer, utterance, began), owner._time);
                }
            }

            _peerIds = [.. _listeners.Keys];
        }

        /// <summary>Stops listening (each listener hands on the utterance under way).</summary>
        public void Close()
        {
            Follow([]);
            _closed = true;
            if (Share.Waiting == 0)
            {
                _drained.TrySetResult();
            }
        }

        /// <summary>An utterance left the queue (kept, silent, dropped or failed).</summary>
        public void Release()
        {
            if (Share.Release() && _closed)
            {
                _drained.TrySetResult();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Transcription of {Source} is behind: an utterance was dropped ({Dropped} in all meetings and livestreams so far)")]
    private partial void LogBehind(string source, long dropped);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Following the meetings' speakers for transcripts failed")]
    private partial void LogFollowFailed(Exception exception);
}
