using Stagecast.Server.Features.Plugins;
using Stagecast.Server.Hosting;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.Rooms;

public sealed partial class MeetingRoom
{
    private readonly Lock _pluginsLock = new();
    private readonly Dictionary<string, ActivePlugin> _activePlugins = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Plugin, string Store), Dictionary<string, PluginStoreEntry>> _pluginStores = [];
    private long _pluginBytes;

    /// <summary>The plugins open in this session, in the order they were opened.</summary>
    public IReadOnlyList<ActivePlugin> ActivePlugins
    {
        get
        {
            lock (_pluginsLock)
            {
                return [.. _activePlugins.Values.OrderBy(p => p.OpenedAt)];
            }
        }
    }

    /// <summary>
    /// Opens a plugin for everyone in the meeting (<c>plugins.can_start</c>, and, for one of the app's
    /// <paramref name="registered"/> plugins, a preset its list names); <paramref name="descriptor"/> is what the
    /// opener's client says of it (JSON, kept as given and shown to the others). Opening an open plugin again changes
    /// nothing. Every peer, the opener too, hears <see cref="PluginActivated"/>.
    /// </summary>
    public ActivePlugin ActivatePlugin(RoomPeer peer, string pluginId, ReadOnlyMemory<byte> descriptor, Plugin? registered)
    {
        if (!peer.Permissions.PluginsCanStart)
        {
            throw new DomainException(DomainError.Forbidden, "your preset does not allow this (plugins.can_start)");
        }

        if (registered is not null && !registered.StartableBy(peer.Participant.PresetName))
        {
            throw new DomainException(DomainError.Forbidden, $"plugin {registered.Name} may be started by the presets {string.Join(", ", registered.Presets)} only");
        }

        PluginLimits.CheckName(pluginId, "id");
        PluginLimits.CheckValue(descriptor, "descriptor", pluginId);
        lock (_pluginsLock)
        {
            if (_activePlugins.TryGetValue(pluginId, out var open))
            {
                return open;
            }

            if (_activePlugins.Count >= PluginLimits.MaxActivePlugins)
            {
                throw new DomainException(DomainError.TooMany, $"at most {PluginLimits.MaxActivePlugins} plugins may be open in a meeting at once");
            }

            var plugin = new ActivePlugin(pluginId, descriptor.ToArray(), peer.Id, _time.GetUtcNow());
            _activePlugins.Add(pluginId, plugin);
            Publish(new PluginActivated(plugin));
            return plugin;
        }
    }

    /// <summary>
    /// Closes a plugin for everyone: its opener may, and anyone whose preset has <c>plugins.can_close</c>. Its shared
    /// stores stay for the session (opened again, it finds its data). False when it was not open.
    /// </summary>
    public bool DeactivatePlugin(RoomPeer peer, string pluginId)
    {
        lock (_pluginsLock)
        {
            if (!_activePlugins.TryGetValue(pluginId, out var open))
            {
                return false;
            }

            if (open.OpenedBy != peer.Id && !peer.Permissions.PluginsCanClose)
            {
                throw new DomainException(DomainError.Forbidden, "your preset does not allow closing a plugin someone else opened (plugins.can_close)");
            }

            _activePlugins.Remove(pluginId);
            Publish(new PluginDeactivated(pluginId, peer.Id, _time.GetUtcNow()));
            return true;
        }
    }

    /// <summary>A plugin's shared store: the keys asked for, or all of them when none are named; empty when it has none.</summary>
    public IReadOnlyList<PluginStoreEntry> PluginStore(string pluginId, string store, IReadOnlyCollection<string> keys)
    {
        lock (_pluginsLock)
        {
            if (!_pluginStores.TryGetValue((pluginId, store), out var items))
            {
                return [];
            }

            return keys.Count == 0
                ? [.. items.Values.OrderBy(i => i.At)]
                : [.. keys.Select(k => items.GetValueOrDefault(k)).OfType<PluginStoreEntry>()];
        }
    }

    /// <summary>
    /// Sets keys of a plugin's shared store (any peer: the plugin's instances write as their users act), within
    /// <see cref="PluginLimits"/> and the peer's <see cref="RoomOptions.PluginWritesPerSecond"/>; every peer hears
    /// <see cref="PluginStoreChanged"/>, the writer too, and a late joiner reads the store as it is. Setting no keys
    /// changes nothing (and makes no store).
    /// </summary>
    public void InsertPluginKeys(RoomPeer peer, string pluginId, string store, IReadOnlyList<(string Key, ReadOnlyMemory<byte> Payload)> entries)
    {
        PluginLimits.CheckName(pluginId, "id");
        PluginLimits.CheckName(store, "store name");
        foreach (var (key, payload) in entries)
        {
            PluginLimits.CheckName(key, "key");
            PluginLimits.CheckValue(payload, "store value", key);
        }

        if (entries.Count == 0)
        {
            return;
        }

        lock (_pluginsLock)
        {
            TakePluginWrite(peer);
            if (!_pluginStores.TryGetValue((pluginId, store), out var items))
            {
                if (_pluginStores.Count >= PluginLimits.MaxStores)
                {
                    throw new DomainException(DomainError.TooMany, $"a meeting may hold at most {PluginLimits.MaxStores} plugin stores");
                }

                items = new Dictionary<string, PluginStoreEntry>(StringComparer.Ordinal);
            }

            var now = _time.GetUtcNow();
            var written = entries.GroupBy(e => e.Key).Select(g => new PluginStoreEntry(g.Key, g.Last().Payload.ToArray(), peer.Id, now)).ToList();
            int newKeys = written.Count(i => !items.ContainsKey(i.Key));
            long bytes = written.Sum(i => (long)i.Payload.Length - (items.TryGetValue(i.Key, out var old) ? old.Payload.Length : 0));
            if (items.Count + newKeys > PluginLimits.MaxKeysPerStore)
            {
                throw new DomainException(DomainError.TooLarge, $"a plugin store may hold at most {PluginLimits.MaxKeysPerStore} keys; delete some first");
            }

            if (_pluginBytes + bytes > PluginLimits.MaxBytesPerMeeting)
            {
                throw new DomainException(DomainError.TooLarge, $"the meeting's plugin stores may hold at most {PluginLimits.MaxBytesPerMeeting} bytes of values; delete some first");
            }

            foreach (var item in written)
            {
                items[item.Key] = item;
            }

            _pluginStores[(pluginId, store)] = items;
            _pluginBytes += bytes;
            Publish(new PluginStoreChanged(pluginId, store, written, Deleted: false));
        }
    }

    /// <summary>
    /// Deletes keys of a plugin's shared store (any peer, within its <see cref="RoomOptions.PluginWritesPerSecond"/>);
    /// every peer hears which, when any were there. A store left empty is gone (it no longer counts toward
    /// <see cref="PluginLimits.MaxStores"/>).
    /// </summary>
    public void DeletePluginKeys(RoomPeer peer, string pluginId, string store, IReadOnlyCollection<string> keys)
    {
        lock (_pluginsLock)
        {
            TakePluginWrite(peer);
            if (!_pluginStores.TryGetValue((pluginId, store), out var items))
            {
                return;
            }

            var now = _time.GetUtcNow();
            var removed = keys.Distinct().Where(items.ContainsKey).Select(k => new PluginStoreEntry(k, [], peer.Id, now)).ToList();
            if (removed.Count == 0)
            {
                return;
            }

            foreach (var item in removed)
            {
                _pluginBytes -= items[item.Key].Payload.Length;
                items.Remove(item.Key);
            }

            if (items.Count == 0)
            {
                _pluginStores.Remove((pluginId, store));
            }

            Publish(new PluginStoreChanged(pluginId, store, removed, Deleted: true));
        }
    }

    /// <summary>Wipes a plugin's shared store at once (<c>plugins.can_edit_config</c>); every peer hears it, when there was one.</summary>
    public void DeletePluginStore(RoomPeer peer, string pluginId, string store)
    {
        if (!peer.Permissions.PluginsCanEditConfig)
        {
            throw new DomainException(DomainError.Forbidden, "your preset does not allow this (plugins.can_edit_config)");
        }

        lock (_pluginsLock)
        {
            if (_pluginStores.Remove((pluginId, store), out var items))
            {
                _pluginBytes -= items.Values.Sum(i => (long)i.Payload.Length);
                Publish(new PluginStoreDropped(pluginId, store));
            }
        }
    }

    /// <summary>
    /// A plugin's own event (<paramref name="data"/>, JSON the front end checked), from one of its instances to the others: passed on at once to
    /// every other peer, or to the peers <paramref name="to"/> names by id, never stored (a late joiner reads the plugin's
    /// stores instead). Only for an open plugin; within <see cref="PluginLimits.MaxValueBytes"/> and charged to the
    /// sender's <see cref="RoomOptions.PluginWritesPerSecond"/>, like a store write.
    /// </summary>
    public void SendPluginEvent(RoomPeer peer, string pluginId, ReadOnlyMemory<byte> data, IReadOnlySet<string>? to)
    {
        PluginLimits.CheckName(pluginId, "id");
        PluginLimits.CheckValue(data, "event", pluginId);
        lock (_pluginsLock)
        {
            if (!_activePlugins.ContainsKey(pluginId))
            {
                throw new DomainException(DomainError.Conflict, $"the plugin {pluginId} is not open in this meeting");
            }

            TakePluginWrite(peer);
        }

        Publish(new PluginEventSent(pluginId, data.ToArray(), peer.Id, to is not null), except: peer, to: to is null ? null : p => to.Contains(p.Id));
    }

    /// <summary>Charges one store write or plugin event to the peer's rate (under the plugins' lock); past it, refused (429).</summary>
    private void TakePluginWrite(RoomPeer peer)
    {
        peer.PluginWrites ??= new TokenBucket(_time, _options.PluginWritesPerSecond, _options.PluginWritesPerSecond * 2.0);
        if (!peer.PluginWrites.TryTake())
        {
            throw new DomainException(DomainError.TooMany, $"a peer may send plugin events and write plugin stores {_options.PluginWritesPerSecond} times a second; slow down");
        }
    }
}

/// <summary>A plugin open in a meeting: its id, what its opener's client said of it (JSON), who opened it and when.</summary>
public sealed record ActivePlugin(string Id, byte[] Descriptor, string OpenedBy, DateTimeOffset OpenedAt);

/// <summary>One key of a plugin's shared store: its value (JSON, as the plugin wrote it), who wrote it last and when.</summary>
public sealed record PluginStoreEntry(string Key, byte[] Payload, string PeerId, DateTimeOffset At);

/// <summary>
/// What a meeting's plugins may hold: ids, store names and keys of at most 256 characters, values of at most 16 KiB,
/// 1,000 keys a store, 64 stores and 1 MiB of values a meeting, 16 plugins open at once. Past a bound a write is
/// refused (400, 413 or 429) naming it; nothing already held changes.
/// </summary>
public static class PluginLimits
{
    public const int MaxNameLength = 256;
    public const int MaxValueBytes = 16 * 1024;
    public const int MaxKeysPerStore = 1000;
    public const int MaxStores = 64;
    public const long MaxBytesPerMeeting = 1024 * 1024;
    public const int MaxActivePlugins = 16;

    /// <summary>A plugin's id, a store's name or a key (<paramref name="what"/>): 1 to <see cref="MaxNameLength"/> characters.</summary>
    public static void CheckName(string name, string what)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength)
        {
            throw new DomainException(DomainError.BadRequest, $"a plugin {what} must be 1 to {MaxNameLength} characters");
        }
    }

    /// <summary>A store's value or a plugin's descriptor (<paramref name="what"/>) of <paramref name="name"/>: at most <see cref="MaxValueBytes"/>.</summary>
    public static void CheckValue(ReadOnlyMemory<byte> value, string what, string name)
    {
        if (value.Length > MaxValueBytes)
        {
            throw new DomainException(DomainError.TooLarge, $"a plugin {what} may be at most {MaxValueBytes} bytes (\"{name}\" has {value.Length})");
        }
    }
}
