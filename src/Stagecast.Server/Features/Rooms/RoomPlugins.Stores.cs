using Stagecast.Server.Hosting;

namespace Stagecast.Server.Features.Rooms;

/// <summary>
/// Plugins' shared stores, kept for the session within <see cref="PluginLimits"/>: keys any peer that sees the plugin
/// writes as its users act (no preset permission, as on RealtimeKit), a plugin's while it is open and the meeting's own
/// (RealtimeKit 2.0.x's <c>meeting.stores</c>) always; wiping a store, at once or by deleting every key others wrote,
/// needs <c>plugins.can_edit_config</c>.
/// </summary>
public sealed partial class RoomPlugins
{
    private readonly Dictionary<(string Plugin, string Store), Dictionary<string, PluginStoreEntry>> _stores = [];

    /// <summary>What the meeting's stores hold, as <see cref="PluginLimits.CostOf"/> counts it.</summary>
    private long _bytes;

    /// <summary>A plugin's shared store: the keys asked for, or all of them when none are named; empty when it has none.</summary>
    public IReadOnlyList<PluginStoreEntry> Store(string pluginId, string store, IReadOnlyCollection<string> keys)
    {
        lock (_lock)
        {
            if (!_stores.TryGetValue((pluginId, store), out var items))
            {
                return [];
            }

            return keys.Count == 0
                ? [.. items.Values.OrderBy(i => i.At)]
                : [.. keys.Select(k => items.GetValueOrDefault(k)).OfType<PluginStoreEntry>()];
        }
    }

    /// <summary>
    /// Sets keys of a plugin's shared store, within <see cref="PluginLimits"/> and the peer's budgets; every peer hears
    /// <see cref="PluginStoreChanged"/>, the writer too, and a late joiner reads the store as it is. Setting no keys
    /// changes nothing (and makes no store).
    /// </summary>
    public void InsertKeys(RoomPeer peer, string pluginId, string store, IReadOnlyList<(string Key, ReadOnlyMemory<byte> Payload)> entries)
    {
        PluginLimits.CheckName(pluginId, "id");
        PluginLimits.CheckName(store, "store name");
        foreach (var (key, payload) in entries)
        {
            PluginLimits.CheckName(key, "key");
            PluginLimits.CheckValue(payload, "store value", key, mayBeEmpty: true);
        }

        if (entries.Count == 0)
        {
            return;
        }

        lock (_lock)
        {
            CheckMayWrite(peer, pluginId, ownStores: true);
            if (!_stores.TryGetValue((pluginId, store), out var items))
            {
                if (_stores.Count >= PluginLimits.MaxStores)
                {
                    throw new DomainException(DomainError.TooMany, $"a meeting may hold at most {PluginLimits.MaxStores} plugin stores");
                }

                items = new Dictionary<string, PluginStoreEntry>(StringComparer.Ordinal);
            }

            var now = _time.GetUtcNow();
            var written = entries.GroupBy(e => e.Key).Select(g => new PluginStoreEntry(g.Key, g.Last().Payload.ToArray(), peer.Id, now)).ToList();
            int newKeys = written.Count(i => !items.ContainsKey(i.Key));
            long bytes = written.Sum(i => PluginLimits.CostOf(i.Key, i.Payload.Length) - (items.TryGetValue(i.Key, out var old) ? PluginLimits.CostOf(old.Key, old.Payload.Length) : 0));
            if (items.Count + newKeys > PluginLimits.MaxKeysPerStore)
            {
                throw new DomainException(DomainError.TooLarge, $"a plugin store may hold at most {PluginLimits.MaxKeysPerStore} keys; delete some first");
            }

            if (_bytes + bytes > PluginLimits.MaxBytesPerMeeting)
            {
                throw new DomainException(DomainError.TooLarge,
                    $"the meeting's plugin stores may hold at most {PluginLimits.MaxBytesPerMeeting} bytes (keys, values and {PluginLimits.KeyOverheadBytes} a key); delete some first");
            }

            _budgets.Take(peer, written.Sum(i => PluginLimits.CostOf(i.Key, i.Payload.Length)), ConnectedPeers);
            foreach (var item in written)
            {
                items[item.Key] = item;
            }

            _stores[(pluginId, store)] = items;
            _bytes += bytes;
            _room.Publish(new PluginStoreChanged(pluginId, store, written, Deleted: false), except: null, to: null);
        }
    }

    /// <summary>
    /// Deletes keys of a plugin's shared store, within the peer's budgets; every peer hears which, when any were there. A
    /// store left empty is gone (it no longer counts toward <see cref="PluginLimits.MaxStores"/>). Deleting every key is
    /// wiping the store, as <see cref="DeleteStore"/> (<c>plugins.can_edit_config</c>), unless the peer wrote each
    /// of them last itself.
    /// </summary>
    public void DeleteKeys(RoomPeer peer, string pluginId, string store, IReadOnlyCollection<string> keys)
    {
        lock (_lock)
        {
            CheckMayWrite(peer, pluginId, ownStores: true);
            var items = _stores.GetValueOrDefault((pluginId, store));
            var removed = items is null ? [] : keys.Distinct().Where(items.ContainsKey).Select(k => items[k]).ToList();
            if (items is not null && removed.Count == items.Count && removed.Any(i => i.PeerId != peer.Id) && !peer.Permissions.PluginsCanEditConfig)
            {
                throw new DomainException(DomainError.Forbidden, "deleting every key of a store wipes it: your preset does not allow this (plugins.can_edit_config)");
            }

            _budgets.Take(peer, removed.Sum(i => PluginLimits.CostOf(i.Key, 0)), ConnectedPeers);
            if (items is null || removed.Count == 0)
            {
                return;
            }

            var now = _time.GetUtcNow();
            foreach (var item in removed)
            {
                _bytes -= PluginLimits.CostOf(item.Key, item.Payload.Length);
                items.Remove(item.Key);
            }

            if (items.Count == 0)
            {
                _stores.Remove((pluginId, store));
            }

            _room.Publish(new PluginStoreChanged(pluginId, store, [.. removed.Select(i => new PluginStoreEntry(i.Key, [], peer.Id, now))], Deleted: true), except: null, to: null);
        }
    }

    /// <summary>Wipes a plugin's shared store at once (<c>plugins.can_edit_config</c>); every peer hears it, when there was one.</summary>
    public void DeleteStore(RoomPeer peer, string pluginId, string store)
    {
        if (!peer.Permissions.PluginsCanEditConfig)
        {
            throw new DomainException(DomainError.Forbidden, "your preset does not allow this (plugins.can_edit_config)");
        }

        lock (_lock)
        {
            if (_stores.Remove((pluginId, store), out var items))
            {
                _bytes -= items.Values.Sum(i => PluginLimits.CostOf(i.Key, i.Payload.Length));
                _room.Publish(new PluginStoreDropped(pluginId, store), except: null, to: null);
            }
        }
    }

    /// <summary>The peers a change of a store reaches (all connected, its writer too).</summary>
    private int ConnectedPeers => _room.Peers.Count(p => p.Client is not null);
}
