using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Stagecast.Server.Features.Cluster;
using Stagecast.Server.Features.MeetingLivestreams;
using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Features.Participants;
using Stagecast.Server.Features.Presets;
using Stagecast.Server.Hosting;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.Rooms;

/// <summary>
/// The meeting rooms with a session on this server, and how a participant enters one. A meeting made inactive ends
/// its session; a participant removed, given a new token or another preset is kicked from it (it may join again with a
/// token it still holds). Every change of a meeting's livestream is told to its room.
/// </summary>
public sealed class MeetingRooms(
    IMeetingStore meetings,
    IMeetingSessionStore store,
    IServiceProvider services,
    IOptions<RoomOptions> options,
    IOptions<ChatOptions> chat,
    TimeProvider time) : IMeetingObserver, IParticipantObserver, IMeetingLivestreamListener, ILocalMeetings
{
    private readonly ConcurrentDictionary<string, MeetingRoom> _rooms = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Waitlist> _waitlists = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string MeetingId, string ParticipantId), PermissionChanges> _changes = new();
    private readonly ConcurrentDictionary<(string MeetingId, string ParticipantId), TokenBucket> _historyBudgets = new();
    private readonly Dictionary<string, HashSet<RoomPeer>> _chatMembers = new(StringComparer.Ordinal);

    public ICollection<MeetingRoom> All => _rooms.Values;

    public MeetingRoom? Find(string meetingId) => _rooms.GetValueOrDefault(meetingId);

    public bool IsHere(string meetingId) => _rooms.ContainsKey(meetingId) || _rooms.Any(r => r.Value.Meeting.ParentMeetingId == meetingId);

    /// <summary>A meeting's waiting room; who starts and stops waiting is told to the room's peers that may accept them.</summary>
    public Waitlist WaitlistOf(string meetingId) => _waitlists.GetOrAdd(meetingId, id =>
    {
        var waitlist = new Waitlist(time, options.Value.WaitlistRetryAfter);
        waitlist.Added += view => Find(id)?.Publish(new WaiterAdded(view), except: null, to: p => p.Permissions.AcceptWaitingRequests);
        waitlist.Removed += (waitlistId, reason) =>
            Find(id)?.Publish(new WaiterRemoved(waitlistId, reason), except: null, to: p => p.Permissions.AcceptWaitingRequests);
        return waitlist;
    });

    /// <summary>
    /// The meeting's chat members: clients chatting in it without having joined (RealtimeKit's SDK between
    /// <c>init()</c> and <c>join()</c>, a chat-only widget). They are no peers (in no participant list, with no media):
    /// they get the chat of whatever session is in progress, and send in it (<see cref="RoomChat"/>).
    /// </summary>
    public IReadOnlyList<RoomPeer> ChatMembersOf(string meetingId)
    {
        lock (_chatMembers)
        {
            return _chatMembers.TryGetValue(meetingId, out var members) ? [.. members] : [];
        }
    }

    public void AddChatMember(RoomPeer member)
    {
        lock (_chatMembers)
        {
            if (!_chatMembers.TryGetValue(member.Participant.MeetingId, out var members))
            {
                _chatMembers.Add(member.Participant.MeetingId, members = []);
            }

            members.Add(member);
        }
    }

    public void RemoveChatMember(RoomPeer member)
    {
        lock (_chatMembers)
        {
            if (_chatMembers.TryGetValue(member.Participant.MeetingId, out var members) && members.Remove(member) && members.Count == 0)
            {
                _chatMembers.Remove(member.Participant.MeetingId);
            }
        }
    }

    /// <summary>
    /// Refuses a file for chat (its reservation, its bytes) unless <paramref name="participantId"/> may send one in a live
    /// session of the meeting now: the meeting active with a session in progress (409 otherwise), the participant in it
    /// as a peer or a chat member (a waiter not let in is neither: 403), and the permissions of one of those allowing files
    /// in either scope (<c>chat.public.files</c>, <c>chat.private.files</c>; 403). A file is sent in a message, and a
    /// message goes only where these hold, so nothing is kept for anyone else. Returns the session's id.
    /// </summary>
    public string RequireFileSender(string meetingId, string participantId)
    {
        if (Find(meetingId) is not { SessionId: { } sessionId } room || room.Meeting.Status == MeetingStatus.Inactive)
        {
            throw new DomainException(DomainError.Conflict, "files are sent in chat during a live session of the meeting, and none is in progress");
        }

        RoomPeer[] senders = [.. room.Peers.Concat(ChatMembersOf(meetingId)).Where(p => p.Participant.Id == participantId)];
        if (senders.Length == 0)
        {
            throw new DomainException(DomainError.Forbidden, "join the meeting's session first: files are sent in chat by those in it (not while waiting to be let in)");
        }

        if (!senders.Any(p => p.Permissions.ChatCanSendFiles))
        {
            throw new DomainException(DomainError.Forbidden, "your preset does not allow sending files in chat (chat.public.files, chat.private.files)");
        }

        return sessionId;
    }

    /// <summary>Raised whenever a room is asked for (what watches the rooms runs only while there are some).</summary>
    public event Action? Used;

    /// <summary>
    /// A participant asks to enter its meeting (the connection's account id: the tenant its token was issued for). It
    /// enters, or waits when its preset has a waiting room and nobody let it in yet; a peer coming back within its
    /// grace period never waits, nor does a person a host moved here from another meeting of its group until
    /// <paramref name="movedUntil"/> (its token says so: it was let in there). Refused when the meeting is gone or
    /// inactive (<see cref="MeetingInactiveException"/>).
    /// </summary>
    public async Task<Admission> AdmitAsync(IRoomClient client, string accountId, string? name, string? resumePeerId, DateTimeOffset? movedUntil = null)
    {
        var participant = client.Participant;
        var meeting = await meetings.FindAsync(participant.MeetingId, CancellationToken.None).ConfigureAwait(false)
            ?? throw new DomainException(DomainError.NotFound, "the meeting no longer exists");
        if (meeting.Status == MeetingStatus.Inactive)
        {
            throw new MeetingInactiveException();
        }

        name = NameOf(name, participant, client.Permissions);
        var waitlist = WaitlistOf(meeting.Id);
        bool resuming = Find(meeting.Id)?.WouldResume(participant.Id, resumePeerId) == true;
        if (!resuming && !(movedUntil > time.GetUtcNow()) && waitlist.MustWait(participant, client.Permissions))
        {
            return new Admission.Waiting(meeting, waitlist.Add(participant, name));
        }

        return await EnterAsync(meeting, accountId, client, name, resumePeerId).ConfigureAwait(false);
    }

    /// <summary>Enters the meeting's room, opening it (and a session) when it has none.</summary>
    public async Task<Admission.Entered> EnterAsync(Meeting meeting, string accountId, IRoomClient client, string? name, string? resumePeerId)
    {
        name = NameOf(name, client.Participant, client.Permissions);
        while (true)
        {
            if (await GetOrCreate(meeting, accountId).JoinAsync(client, name, resumePeerId).ConfigureAwait(false) is { } entered)
            {
                return entered;
            }

            // The room closed meanwhile (its session ended); the next one opens a new session.
        }
    }

    /// <summary>
    /// The name a peer enters with: the one its client asks for, when its preset lets it choose one
    /// (<c>can_edit_display_name</c>), else the participant's own; refused (400) when others should not be shown it
    /// (<see cref="ShownText"/>).
    /// </summary>
    internal static string? NameOf(string? asked, Participant participant, PresetPermissions permissions)
    {
        if (asked is null || asked == participant.Name)
        {
            return asked;
        }

        if (!permissions.CanEditDisplayName)
        {
            return participant.Name;
        }

        return ShownText.Problem(asked) is { } problem ? throw new DomainException(DomainError.BadRequest, $"a display name must not contain {problem}") : asked;
    }

    public MeetingRoom GetOrCreate(Meeting meeting, string accountId)
    {
        var room = _rooms.GetOrAdd(meeting.Id, _ => new MeetingRoom(meeting, accountId, this, new RoomServices(
            store,
            [.. services.GetServices<IMeetingSessionObserver>()],
            [.. services.GetServices<IRoomObserver>()],
            services.GetServices<IPeerMediaControl>().FirstOrDefault(),
            services.GetRequiredService<MeetingWebhookEvents>(),
            services.GetRequiredService<MeetingLivestreamService>(),
            options.Value,
            chat.Value,
            time)));
        Used?.Invoke();
        return room;
    }

    public async Task OnMeetingChangedAsync(Meeting meeting)
    {
        if (Find(meeting.Id) is not { } room)
        {
            return;
        }

        room.UpdateMeeting(meeting);
        if (meeting.Status == MeetingStatus.Inactive)
        {
            await room.EndAsync("the meeting was made inactive", "the meeting was made inactive").ConfigureAwait(false);
        }
    }

    public async Task OnParticipantRevokedAsync(Participant participant, string reason)
    {
        // Its chat members hear no more; their sockets are refused at their next request, as at a join (the token is read again).
        foreach (var member in ChatMembersOf(participant.MeetingId).Where(m => m.Participant.Id == participant.Id))
        {
            RemoveChatMember(member);
        }

        if (Find(participant.MeetingId) is { } room)
        {
            await room.KickAsync(p => p.Participant.Id == participant.Id, reason).ConfigureAwait(false);
        }
    }

    public void OnMeetingLivestreamChanged(MeetingLivestreamEvent change) =>
        Find(change.MeetingId)?.Publish(new LivestreamChanged(change.Change, change.Livestream, change.Error));

    /// <summary>
    /// Charges <paramref name="bytes"/> of chat history sent to <paramref name="participant"/> to its budget
    /// (<see cref="RoomOptions.ChatHistoryBytesPerSecond"/>, shared by all its sockets); refused (429) when it is spent.
    /// </summary>
    public void ChargeHistory(Participant participant, int bytes)
    {
        double perSecond = options.Value.ChatHistoryBytesPerSecond;
        var budget = _historyBudgets.GetOrAdd((participant.MeetingId, participant.Id), _ => new TokenBucket(time, perSecond, perSecond * 4));
        if (!budget.TryTake(bytes))
        {
            throw new DomainException(DomainError.TooMany, "chat history is asked for too often: wait a moment, or ask for a page at a time");
        }
    }

    /// <summary>What hosts changed of the participant's permissions in its meeting's session now (kept until the session ends).</summary>
    public PermissionChanges ChangesOf(Participant participant) => _changes.GetOrAdd((participant.MeetingId, participant.Id), _ => new PermissionChanges());

    internal void Remove(MeetingRoom room)
    {
        if (_rooms.TryRemove(new KeyValuePair<string, MeetingRoom>(room.MeetingId, room)))
        {
            foreach (var key in _changes.Keys.Where(k => k.MeetingId == room.MeetingId))
            {
                if (_changes.TryRemove(key, out var changes))
                {
                    changes.Clear(); // a chat socket still holding them must not keep the ended session's changes
                }
            }

            foreach (var key in _historyBudgets.Keys.Where(k => k.MeetingId == room.MeetingId))
            {
                _historyBudgets.TryRemove(key, out _);
            }
        }
    }
}
