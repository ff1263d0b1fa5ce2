using Stagecast.Server.Features.Presets;

namespace Stagecast.Server.Features.Rooms;

/// <summary>
/// What hosts changed of a participant's permissions for a meeting's session (RealtimeKit's
/// <c>participants.updatePermissions</c>), shared by every peer and chat socket of the participant: the changes in the
/// order they were made, laid in turn over each reading of its preset. Bounded: the same change as the last is kept once,
/// and at most <see cref="MaxChanges"/> are kept (a host toggling one peer's rights that often is a script, not a host).
/// </summary>
public sealed class PermissionChanges
{
    /// <summary>How many changes of one participant a session keeps.</summary>
    public const int MaxChanges = 64;

    private readonly Lock _sync = new();
    private readonly List<PermissionPatch> _patches = [];
    private int _version;

    /// <summary>Changes with every change (cached readings compare it).</summary>
    public int Version => Volatile.Read(ref _version);

    /// <summary>Adds a change; false when it is one too many (<see cref="MaxChanges"/>). The same change as the last adds nothing.</summary>
    public bool TryAdd(PermissionPatch patch)
    {
        lock (_sync)
        {
            if (_patches.Count > 0 && _patches[^1] == patch)
            {
                return true;
            }

            if (_patches.Count >= MaxChanges)
            {
                return false;
            }

            _patches.Add(patch);
            _version++;
            return true;
        }
    }

    /// <summary>The session ended: its changes go, for whoever still holds this.</summary>
    public void Clear()
    {
        lock (_sync)
        {
            _patches.Clear();
            _version++;
        }
    }

    /// <summary><paramref name="preset"/> with the changes laid on in turn.</summary>
    public PresetPermissions Over(PresetPermissions preset)
    {
        lock (_sync)
        {
            return _patches.Aggregate(preset, (may, patch) => may.With(patch));
        }
    }
}
