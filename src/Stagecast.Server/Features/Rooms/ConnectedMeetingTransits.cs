using System.Collections.Concurrent;
using Stagecast.Server.Features.Participants;

namespace Stagecast.Server.Features.Rooms;

/// <summary>
/// People on their way from one meeting of a group to another: moved out of one, not joined in the other yet (their
/// client starts again there, in a second or two). Each is listed in its destination meanwhile, and a second move of it
/// to the same place is nothing to do (the UI kit's "close breakout" moves everyone twice). Forgotten once the person
/// is seen there, or after <see cref="Expiry"/> (the reconnect grace: a client that never arrives has given up).
/// </summary>
public sealed class ConnectedMeetingTransits(TimeProvider time)
{
    public static readonly TimeSpan Expiry = ParticipantService.MovedEntryTime;

    private readonly ConcurrentDictionary<(string Group, string CustomParticipantId), Transit> _transits = new();

    /// <summary>
    /// Notes that participant <paramref name="fromParticipantId"/> of group <paramref name="group"/> is on its way as
    /// <paramref name="to"/> (and forgets those whose time ran out, so the table holds only people moving now).
    /// </summary>
    public void Start(string group, string fromParticipantId, Participant to, string? name)
    {
        foreach (var expired in _transits.Where(t => !Live(t.Value)))
        {
            _transits.TryRemove(expired);
        }

        _transits[(group, to.CustomParticipantId)] = new Transit(fromParticipantId, to, name, time.GetUtcNow() + Expiry);
    }

    /// <summary>Whether participant <paramref name="fromParticipantId"/> of the group is on its way to meeting <paramref name="meetingId"/> now.</summary>
    public bool Going(string group, string fromParticipantId, string meetingId) =>
        _transits.Any(t => t.Key.Group == group && t.Value.FromParticipantId == fromParticipantId && t.Value.To.MeetingId == meetingId && Live(t.Value));

    /// <summary>Those of the group on their way to meeting <paramref name="meetingId"/>, but for those already there (forgotten now).</summary>
    public IReadOnlyList<Transit> To(string group, string meetingId, IReadOnlyCollection<string> thereAlready)
    {
        List<Transit> going = [];
        foreach (var (key, transit) in _transits)
        {
            if (key.Group != group || transit.To.MeetingId != meetingId)
            {
                continue;
            }

            if (thereAlready.Contains(transit.To.Id) || !Live(transit))
            {
                _transits.TryRemove(KeyValuePair.Create(key, transit));
            }
            else
            {
                going.Add(transit);
            }
        }

        return going;
    }

    private bool Live(Transit transit) => transit.Until > time.GetUtcNow();
}

/// <summary>A person on its way: its participant in the meeting it left, the one it becomes, its name, and until when it is awaited.</summary>
public sealed record Transit(string FromParticipantId, Participant To, string? Name, DateTimeOffset Until);
