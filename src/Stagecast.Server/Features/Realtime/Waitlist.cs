using System.Collections.Concurrent;
using Stagecast.Server.Features.Participants;
using Stagecast.Server.Features.Realtime.Protocol;

namespace Stagecast.Server.Features.Realtime;

/// <summary>
/// A meeting's waiting room: participants whose preset has a <c>waiting_room_type</c> other than <c>SKIP</c> wait
/// here after asking to join until a peer with <c>accept_waiting_requests</c> accepts or rejects them. With
/// <c>SKIP_ON_ACCEPT</c> a participant accepted once enters directly afterwards (while this server runs); with
/// <c>ON_PRIVILEGED_USER_ENTRY</c> it waits every time. Kept per meeting, so a waiter outlives room sessions.
/// </summary>
public sealed class Waitlist(TimeProvider time)
{
    public const string Skip = "SKIP";
    public const string SkipOnAccept = "SKIP_ON_ACCEPT";

    private readonly ConcurrentDictionary<string, Waiter> _waiters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _acceptedParticipants = new(StringComparer.Ordinal);

    /// <summary>Raised when someone starts or stops waiting.</summary>
    public event Action? Changed;

    /// <summary>Whether a participant with this preset must wait to enter.</summary>
    public bool MustWait(Participant participant, Presets.PresetPermissions permissions) =>
        !permissions.AcceptWaitingRequests
        && permissions.WaitingRoomType != Skip
        && !(permissions.WaitingRoomType == SkipOnAccept && _acceptedParticipants.ContainsKey(participant.Id));

    public IReadOnlyList<WaitlistedView> Views =>
        [.. _waiters.Values.OrderBy(w => w.RequestedAt).Select(w => w.View)];

    public Waiter Add(Participant participant, string? name)
    {
        var waiter = new Waiter(Guid.NewGuid().ToString(), participant,
            new WaitlistedView(string.Empty, participant.Id, participant.CustomParticipantId, name ?? participant.Name, participant.PresetName, time.GetUtcNow()));
        waiter.View = waiter.View with { Id = waiter.Id };
        _waiters[waiter.Id] = waiter;
        Changed?.Invoke();
        return waiter;
    }

    /// <summary>Accepts or rejects a waiter; false when nobody waits under that id.</summary>
    public bool Resolve(string id, bool accept)
    {
        if (!_waiters.TryRemove(id, out var waiter))
        {
            return false;
        }

        if (accept)
        {
            _acceptedParticipants[waiter.Participant.Id] = true;
        }

        waiter.Decision.TrySetResult(accept);
        Changed?.Invoke();
        return true;
    }

    /// <summary>The waiter went away (its socket closed) before a decision.</summary>
    public void Remove(Waiter waiter)
    {
        if (_waiters.TryRemove(new KeyValuePair<string, Waiter>(waiter.Id, waiter)))
        {
            waiter.Decision.TrySetResult(false);
            Changed?.Invoke();
        }
    }

    public sealed class Waiter(string id, Participant participant, WaitlistedView view)
    {
        public string Id { get; } = id;

        public Participant Participant { get; } = participant;

        public WaitlistedView View { get; set; } = view;

        public TaskCompletionSource<bool> Decision { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public DateTimeOffset RequestedAt => View.RequestedAt;
    }
}
