using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Features.Participants;

namespace Stagecast.Server.Features.Realtime;

/// <summary>
/// The meeting rooms with a session on this server. A meeting made inactive ends its session; a participant removed,
/// given a new token or another preset is kicked from it (it may join again with a token it still holds).
/// </summary>
public sealed class MeetingRooms(
    IMeetingSessionStore store,
    IServiceProvider services,
    IOptions<RealtimeOptions> options,
    IOptions<ChatOptions> chat,
    TimeProvider time) : IMeetingObserver, IParticipantObserver
{
    private readonly ConcurrentDictionary<string, MeetingRoom> _rooms = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Waitlist> _waitlists = new(StringComparer.Ordinal);

    public ICollection<MeetingRoom> All => _rooms.Values;

    public MeetingRoom? Find(string meetingId) => _rooms.GetValueOrDefault(meetingId);

    /// <summary>A meeting's waiting room; who starts and stops waiting is told to the room's peers that may accept them.</summary>
    public Waitlist WaitlistOf(string meetingId) => _waitlists.GetOrAdd(meetingId, id =>
    {
        var waitlist = new Waitlist(time);
        waitlist.Added += view => Find(id)?.Broadcast(new Protocol.WaitlistAddedMessage(view), to: p => p.Permissions.AcceptWaitingRequests);
        waitlist.Removed += (waitlistId, reason) =>
            Find(id)?.Broadcast(new Protocol.WaitlistRemovedMessage(waitlistId, reason), to: p => p.Permissions.AcceptWaitingRequests);
        return waitlist;
    });

    /// <summary>Raised whenever a room is asked for (what watches the rooms runs only while there are some).</summary>
    public event Action? Used;

    public MeetingRoom GetOrCreate(Meeting meeting, string accountId)
    {
        var room = _rooms.GetOrAdd(meeting.Id, _ => new MeetingRoom(
            meeting, accountId, this, store, services.GetServices<IMeetingSessionObserver>(), services.GetServices<IRoomPeerObserver>(),
            services.GetRequiredService<MeetingWebhookEvents>(), options, chat, time));
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
        if (Find(participant.MeetingId) is { } room)
        {
            await room.KickAsync(p => p.Participant.Id == participant.Id, reason).ConfigureAwait(false);
        }
    }

    internal void Remove(MeetingRoom room) => _rooms.TryRemove(new KeyValuePair<string, MeetingRoom>(room.MeetingId, room));
}
