using Stagecast.Server.Features.Participants;
using Stagecast.Server.Features.Presets;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.Rooms;

/// <summary>
/// A participant's presence in a meeting room. It outlives its connection by the reconnect grace period: a client that
/// comes back in time with the same peer id takes its place again, unseen by the others.
/// </summary>
public sealed class RoomPeer(string id, Participant participant, PresetPermissions permissions, string? name, DateTimeOffset joinedAt)
{
    private volatile IRoomClient? _client;
    private volatile StageStatus _stage;

    public string Id { get; } = id;

    /// <summary>The participant as of the peer's latest connection or check (its preset may have changed since it joined).</summary>
    public Participant Participant { get; set; } = participant;

    private readonly List<PermissionPatch> _patches = [];
    private PresetPermissions _permissions = permissions;

    /// <summary>
    /// What the peer may do: its preset as of its latest connection, with what hosts changed for it since it joined
    /// (<see cref="ApplyPatch"/>: each change laid again, in turn, over each newer reading of the preset).
    /// </summary>
    public PresetPermissions Permissions
    {
        get => _permissions;
        set
        {
            lock (_patches)
            {
                _permissions = _patches.Aggregate(value, (may, patch) => may.With(patch));
            }
        }
    }

    /// <summary>A host's change to the peer's permissions, kept for as long as the peer is in the meeting.</summary>
    public void ApplyPatch(PermissionPatch patch)
    {
        lock (_patches)
        {
            _patches.Add(patch);
            _permissions = _permissions.With(patch);
        }
    }

    public string? Name { get; set; } = name;

    public bool AudioEnabled { get; set; }

    public bool VideoEnabled { get; set; }

    public bool ScreenshareEnabled { get; set; }

    public DateTimeOffset JoinedAt { get; } = joinedAt;

    /// <summary>Where it stands with the stage: changed under the room's lock, read by meeting media without it.</summary>
    public StageStatus Stage
    {
        get => _stage;
        set => _stage = value;
    }

    /// <summary>When it asked for the stage, while it waits for an answer.</summary>
    public DateTimeOffset? StageRequestedAt { get; set; }

    /// <summary>The connection serving the peer; null while it is disconnected (within the grace period).</summary>
    public IRoomClient? Client
    {
        get => _client;
        set => _client = value;
    }

    public DateTimeOffset? DisconnectedAt { get; set; }

    public ITimer? GraceTimer { get; set; }

    /// <summary>The peer's rate of app messages (<see cref="MeetingRoom.SendAppMessageAsync"/>), from its first one.</summary>
    public TokenBucket? AppMessages { get; set; }

    /// <summary>The peer's rate of plugin store writes and plugin events (<see cref="MeetingRoom.InsertPluginKeys"/>), from its first one.</summary>
    public TokenBucket? PluginWrites { get; set; }

    /// <summary>The bytes the peer's plugin store writes and events have the server send the meeting's peers (<see cref="RoomOptions.PluginBytesPerSecond"/>).</summary>
    public TokenBucket? PluginBytes { get; set; }

    /// <summary>Hidden participants (a preset's <c>hidden_participant</c>) are in no peer list and no peer event.</summary>
    public bool Hidden => Permissions.HiddenParticipant;

    /// <summary>Tells the peer's connection, if it has one now.</summary>
    public void Notify(RoomEvent change) => Client?.Notify(this, change);
}
