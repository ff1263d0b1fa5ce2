using Stagecast.Server.Features.Participants;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Features.Rooms;

/// <summary>
/// A meeting's waiting room: participants whose preset has a <c>waiting_room_type</c> other than <c>SKIP</c> wait
/// here after asking to join until a peer with <c>accept_waiting_requests</c> accepts or rejects them. With
/// <c>SKIP_ON_ACCEPT</c> a participant accepted once enters directly afterwards (while this server runs); with
/// <c>ON_PRIVILEGED_USER_ENTRY</c> it waits every time. Kept per meeting, so a waiter outlives room sessions.
/// A participant waits on one connection: a newer connection's join takes the older one's place (same id, same turn),
/// and the older one is told it was replaced. Hosts hear of each change as one entry added or removed, never the whole
/// list, in the order the changes happened (they are made and announced under one lock; announcing only queues).
/// One turned away may ask again only <paramref name="retryAfter"/> later, so a refused guest cannot knock on and on.
/// </summary>
public sealed class Waitlist(TimeProvider time, TimeSpan retryAfter)
{
    public const string Skip = "SKIP";
    public const string SkipOnAccept = "SKIP_ON_ACCEPT";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Waiter> _waiters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Waiter> _byParticipant = new(StringComparer.Ordinal);
    private readonly HashSet<string> _acceptedParticipants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _rejectedAt = new(StringComparer.Ordinal);

    /// <summary>Raised when someone starts waiting.</summary>
    public event Action<WaitlistedView>? Added;

    /// <summary>Raised when someone stops waiting: its waitlist id, and why (<c>accepted</c>, <c>rejected</c>, <c>left</c>).</summary>
    public event Action<string, string>? Removed;

    /// <summary>Whether a participant with this preset must wait to enter.</summary>
    public bool MustWait(Participant participant, Presets.PresetPermissions permissions)
    {
        if (permissions.AcceptWaitingRequests || permissions.WaitingRoomType == Skip)
        {
            return false;
        }

        lock (_gate)
        {
            return !(permissions.WaitingRoomType == SkipOnAccept && _acceptedParticipants.Contains(participant.Id));
        }
    }

    public IReadOnlyList<WaitlistedView> Views
    {
        get
        {
            lock (_gate)
            {
                return [.. _waiters.Values.OrderBy(w => w.View.RequestedAt).Select(w => w.View)];
            }
        }
    }

    /// <summary>
    /// The participant starts waiting, or, when it waits already on another connection, this one takes that place. One
    /// turned away less than the retry delay ago is refused (429).
    /// </summary>
    public Waiter Add(Participant participant, string? name)
    {
        lock (_gate)
        {
            if (_rejectedAt.TryGetValue(participant.Id, out var rejectedAt))
            {
                var wait = rejectedAt + retryAfter - time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    throw new DomainException(DomainError.TooMany, $"a host turned you away; you may ask again in {Math.Ceiling(wait.TotalSeconds):0} s");
                }

                _rejectedAt.Remove(participant.Id);
            }

            if (_byParticipant.TryGetValue(participant.Id, out var previous))
            {
                var successor = new Waiter(participant, previous.View);
                _waiters[successor.Id] = successor;
                _byParticipant[participant.Id] = successor;
                previous.Decision.TrySetResult(WaitDecision.Replaced);
                return successor; // the hosts' list does not change
            }

            var waiter = new Waiter(participant,
                new WaitlistedView(Guid.NewGuid().ToString(), participant.Id, participant.CustomParticipantId, name ?? participant.Name, participant.PresetName, time.GetUtcNow()));
            _waiters[waiter.Id] = waiter;
            _byParticipant[participant.Id] = waiter;
            Added?.Invoke(waiter.View);
            return waiter;
        }
    }

    /// <summary>Accepts or rejects a waiter; false when nobody waits under that id.</summary>
    public bool Resolve(string id, bool accept)
    {
        lock (_gate)
        {
            if (!_waiters.TryGetValue(id, out var waiter))
            {
                return false;
            }

            if (accept)
            {
                _acceptedParticipants.Add(waiter.Participant.Id);
            }
            else
            {
                _rejectedAt[waiter.Participant.Id] = time.GetUtcNow();
            }

            RemoveLocked(waiter, accept ? WaitDecision.Accepted : WaitDecision.Rejected);
            return true;
        }
    }

    /// <summary>The waiter went away (its connection closed) before a decision; nothing when another connection took its place.</summary>
    public void Remove(Waiter waiter)
    {
        lock (_gate)
        {
            if (_waiters.GetValueOrDefault(waiter.Id) == waiter)
            {
                RemoveLocked(waiter, WaitDecision.Left);
            }
        }
    }

    private void RemoveLocked(Waiter waiter, WaitDecision decision)
    {
        _waiters.Remove(waiter.Id);
        _byParticipant.Remove(waiter.Participant.Id);
        waiter.Decision.TrySetResult(decision);
        Removed?.Invoke(waiter.Id, decision switch
        {
            WaitDecision.Accepted => "accepted",
            WaitDecision.Rejected => "rejected",
            _ => "left",
        });
    }

    public sealed class Waiter(Participant participant, WaitlistedView view)
    {
        public string Id => View.Id;

        public Participant Participant { get; } = participant;

        public WaitlistedView View { get; } = view;

        public TaskCompletionSource<WaitDecision> Decision { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>How a wait ended.</summary>
public enum WaitDecision
{
    Accepted,
    Rejected,

    /// <summary>The participant asked again on a newer connection, which waits in its place.</summary>
    Replaced,

    /// <summary>The waiting connection closed.</summary>
    Left,
}
