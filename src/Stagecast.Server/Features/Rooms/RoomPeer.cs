using Stagecast.Server.Features.Participants;
using Stagecast.Server.Features.Presets;

namespace Stagecast.Server.Features.Rooms;

/// <summary>
/// A participant's presence in a meeting room. It outlives its connection by the reconnect grace period: a client that
/// comes back in time with the same peer id takes its place again, unseen by the others.
/// </summary>
public sealed class RoomPeer(string id, Participant participant, PresetPermissions permissions, string? name, DateTimeOffset joinedAt, PermissionChanges? changes = null)
{
    private volatile IRoomClient? _client;
    private volatile StageStatus _stage;
    private volatile PresetPermissions _preset = permissions;
    private volatile Reading? _reading;

    public string Id { get; } = id;

    /// <summary>The participant as of the peer's latest connection or check (its preset may have changed since it joined).</summary>
    public Participant Participant { get; set; } = participant;

    /// <summary>What hosts changed of its participant's permissions this session, shared with its other peers and chat sockets.</summary>
    public PermissionChanges Changes { get; } = changes ?? new PermissionChanges();

    /// <summary>
    /// What the peer may do: its preset as of its latest connection (set), with what hosts changed of its participant's
    /// permissions this session (<see cref="Changes"/>), laid over it in turn; read again only when either changed.
    /// </summary>
    public PresetPermissions Permissions
    {
        get
        {
            var (preset, version) = (_preset, Changes.Version);
            if (_reading is { } reading && ReferenceEquals(reading.Preset, preset) && reading.Version == version)
            {
                return reading.Permissions;
            }

            var permissions = Changes.Over(preset);
            _reading = new Reading(preset, version, permissions);
            return permissions;
        }

        set => _preset = value;
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

    /// <summary>Hidden participants (a preset's <c>hidden_participant</c>) are in no peer list and no peer event.</summary>
    public bool Hidden => Permissions.HiddenParticipant;

    /// <summary>Tells the peer's connection, if it has one now.</summary>
    public void Notify(RoomEvent change) => Client?.Notify(this, change);

    /// <summary>A reading of the permissions: of which preset, at which version of the changes.</summary>
    private sealed record Reading(PresetPermissions Preset, int Version, PresetPermissions Permissions);
}
