using System.Text.Json;
using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Features.Participants;
using Stagecast.Server.Features.Presets;
using Stagecast.Server.Features.Sessions;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Realtime;

/// <summary>
/// One participant's socket on the channel: reads its requests, answers each (<c>{"type":"ok","id",…,"data"}</c> or
/// <c>{"type":"error","id",…,"code","message"}</c>) and passes them to its meeting room. The first request must be
/// <c>join</c>, within the join timeout. Requests beyond the rate limit are refused.
/// </summary>
public sealed partial class RealtimeClient(
    RealtimeConnection connection,
    Participant participant,
    PresetPermissions permissions,
    string accountId,
    RealtimeServices services)
{
    private readonly RealtimeOptions _options = services.Options;
    private readonly TimeProvider _time = services.Time;
    private double _tokens = services.Options.MessagesPerSecond * 2.0;
    private long _tokensAt = services.Time.GetTimestamp();
    private RoomPeer? _peer;
    private MeetingRoom? _room;
    private bool _left;

    public RealtimeConnection Connection { get; } = connection;

    public Participant Participant { get; } = participant;

    public PresetPermissions Permissions { get; } = permissions;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var joinDeadline = _time.CreateTimer(
            _ =>
            {
                if (Volatile.Read(ref _peer) is null)
                {
                    Connection.Close(RealtimeCloseCodes.JoinTimeout, "send join first");
                }
            },
            null, _options.JoinTimeout, Timeout.InfiniteTimeSpan);
        try
        {
            while (!_left && await Connection.ReceiveAsync(cancellationToken).ConfigureAwait(false) is { } message)
            {
                await HandleAsync(message).ConfigureAwait(false);
            }
        }
        finally
        {
            if (_peer is not null && _room is not null && !_left)
            {
                await _room.DisconnectedAsync(_peer, this).ConfigureAwait(false);
            }
        }
    }

    private async Task HandleAsync(byte[] message)
    {
        string? id = null;
        try
        {
            using var document = JsonDocument.Parse(message);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
            {
                throw new RealtimeException(RealtimeException.BadRequest, "a message is a JSON object with a string \"type\"");
            }

            id = root.TryGetProperty("id", out var idElement) ? idElement.ValueKind switch
            {
                JsonValueKind.String => idElement.GetString(),
                JsonValueKind.Number => idElement.GetRawText(),
                _ => null,
            } : null;
            if (!TryTakeToken())
            {
                throw new RealtimeException(RealtimeException.TooMany, $"more than {_options.MessagesPerSecond} messages a second; slow down");
            }

            string type = typeElement.GetString()!;
            if (type == "ping")
            {
                Send(new { type = "pong", id });
                return;
            }

            if (type != "join" && (_peer is null || _room is null))
            {
                throw new RealtimeException(RealtimeException.Conflict, "send join first");
            }

            object data = type switch
            {
                "join" => await JoinAsync(Parse<JoinRequest>(message)).ConfigureAwait(false),
                "leave" => await LeaveAsync().ConfigureAwait(false),
                "peer_update" => await UpdatePeerAsync(Parse<PeerUpdateRequest>(message)).ConfigureAwait(false),
                "chat_send" => new { message = ChatView.From(await _room!.ChatAsync(_peer!, Parse<ChatRequest>(message).Text!).ConfigureAwait(false)) },
                "poll_create" => new { poll = PollView.For(await _room!.CreatePollAsync(_peer!, Parse<PollRequest>(message)).ConfigureAwait(false), Participant.Id) },
                "poll_vote" => await VoteAsync(Parse<VoteRequest>(message)).ConfigureAwait(false),
                "livestream_start" => await services.Livestreams.StartAsync(this, _room!, Parse<StartMeetingLivestreamRequest>(message)).ConfigureAwait(false),
                "livestream_stop" => await services.Livestreams.StopAsync(this, _room!).ConfigureAwait(false),
                _ => throw new RealtimeException(RealtimeException.BadRequest, $"unknown message type {type}"),
            };
            Send(new { type = "ok", id, data });
            if (_left)
            {
                Connection.Close(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "left");
            }
        }
        catch (JsonException)
        {
            SendError(id, RealtimeException.BadRequest, "a message is a JSON object with a string \"type\"");
        }
        catch (RealtimeException ex)
        {
            SendError(id, ex.Code, ex.Message);
            if (ex.CloseWith is { } status)
            {
                Connection.Close(status, ex.Message);
                _left = true;
            }
        }
        catch (ApiException ex)
        {
            SendError(id, ex.Status, ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.RequestFailed(services.Logger, ex, Participant.Id);
            SendError(id, 500, "internal error; the server log has the details");
        }
    }

    private async Task<object> JoinAsync(JoinRequest request)
    {
        if (_peer is not null)
        {
            throw new RealtimeException(RealtimeException.Conflict, "already joined");
        }

        var meeting = await services.Meetings.FindAsync(Participant.MeetingId, CancellationToken.None).ConfigureAwait(false)
            ?? throw new RealtimeException(RealtimeException.NotFound, "the meeting no longer exists");
        if (meeting.Status == MeetingStatus.Inactive)
        {
            throw new RealtimeException(RealtimeException.Forbidden, "the meeting is inactive", RealtimeCloseCodes.MeetingEnded);
        }

        while (true)
        {
            var room = services.Rooms.GetOrCreate(meeting, accountId);
            if (await room.JoinAsync(this, request.Name, request.PeerId).ConfigureAwait(false) is not var (peer, resumed))
            {
                continue; // the room closed meanwhile (its session ended); the next one opens a new session
            }

            _room = room;
            Volatile.Write(ref _peer, peer);
            return await JoinedAsync(room, peer, resumed).ConfigureAwait(false);
        }
    }

    private async Task<object> JoinedAsync(MeetingRoom room, RoomPeer peer, bool resumed)
    {
        string sessionId = room.SessionId ?? "";
        var chat = room.Meeting.PersistChat
            ? await services.Sessions.ListRecentMeetingChatAsync(room.MeetingId, _options.ChatHistory, CancellationToken.None).ConfigureAwait(false)
            : (await services.Sessions.ListChatAsync(sessionId, CancellationToken.None).ConfigureAwait(false)).TakeLast(_options.ChatHistory).ToList();
        var polls = await services.Sessions.ListPollsAsync(sessionId, CancellationToken.None).ConfigureAwait(false);
        return new
        {
            peer_id = peer.Id,
            resumed,
            self = peer.View(),
            permissions = Permissions,
            peers = room.Peers.Where(p => p != peer && !p.Hidden).Select(p => p.View()).ToList(),
            meeting = new { id = room.MeetingId, title = room.Meeting.Title, session_id = sessionId },
            chat = Permissions.ChatCanReceive ? chat.Select(ChatView.From).ToList() : [],
            polls = Permissions.PollsCanView ? polls.Select(p => PollView.For(p, Participant.Id)).ToList() : [],
            livestream = services.Livestreams.Describe(room, this),
        };
    }

    private async Task<object> LeaveAsync()
    {
        await _room!.LeaveAsync(_peer!).ConfigureAwait(false);
        _left = true;
        return new { };
    }

    private async Task<object> UpdatePeerAsync(PeerUpdateRequest request) =>
        new { self = (await _room!.UpdatePeerAsync(_peer!, request.Name, request.AudioEnabled, request.VideoEnabled, request.ScreenshareEnabled).ConfigureAwait(false)).View() };

    private async Task<object> VoteAsync(VoteRequest request) =>
        new { poll = PollView.For(await _room!.VoteAsync(_peer!, request.PollId!, request.Option!.Value).ConfigureAwait(false), Participant.Id) };

    public void Send(object message) => Connection.TrySend(RealtimeJson.Serialize(message));

    private void SendError(string? id, int code, string message) => Send(new { type = "error", id, code, message });

    private static T Parse<T>(byte[] message)
        where T : class, new() => JsonBody<T>.Parse(message, RealtimeJson.Options);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "A realtime request of participant {ParticipantId} failed")]
        public static partial void RequestFailed(ILogger logger, Exception exception, string participantId);
    }

    /// <summary>A token bucket: <see cref="RealtimeOptions.MessagesPerSecond"/> a second, bursts of twice that.</summary>
    private bool TryTakeToken()
    {
        long now = _time.GetTimestamp();
        double capacity = _options.MessagesPerSecond * 2.0;
        _tokens = Math.Min(capacity, _tokens + (_time.GetElapsedTime(_tokensAt, now).TotalSeconds * _options.MessagesPerSecond));
        _tokensAt = now;
        if (_tokens < 1)
        {
            return false;
        }

        _tokens--;
        return true;
    }
}
