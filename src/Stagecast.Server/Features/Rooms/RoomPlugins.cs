using Stagecast.Server.Features.Plugins;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Features.Rooms;

/// <summary>
/// A room's plugins: which are open (for everyone), what their frames send each other, and their shared stores
/// (RoomPlugins.Stores.cs), all for the session only. What a peer's plugin frames send (store writes and events) is
/// charged to its budgets (<see cref="PluginBudgets"/>), so a write fanned out to a large meeting costs as much as it
/// sends. One lock of its own covers the open plugins, the stores and the budgets: a write checks that its plugin is
/// open, charges its writer and changes the store in one step; that is why its two files come to about 300 lines.
/// </summary>
public sealed partial class RoomPlugins
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ActivePlugin> _active = new(StringComparer.Ordinal);
    private readonly IRoomPresence _room;
    private readonly PluginBudgets _budgets;
    private readonly TimeProvider _time;

    internal RoomPlugins(IRoomPresence room, RoomOptions options, TimeProvider time)
    {
        _room = room;
        _budgets = new PluginBudgets(options.PluginWritesPerSecond, options.PluginBytesPerSecond, time);
        _time = time;
    }

    /// <summary>The plugins open in this session, in the order they were opened.</summary>
    public IReadOnlyList<ActivePlugin> Active
    {
        get
        {
            lock (_lock)
            {
                return [.. _active.Values.OrderBy(p => p.OpenedAt)];
            }
        }
    }

    /// <summary>
    /// Opens a plugin for everyone in the meeting (<c>plugins.can_start</c>, and, for one of the app's
    /// <paramref name="registered"/> plugins, a preset its list names); <paramref name="descriptor"/> is what the
    /// opener's client says of it (a JSON object, kept as given and shown to the others, which names no web app but the
    /// plugin's own: <see cref="PluginDescriptors"/>). The web app pages frame is the registration's or Stagecast's own
    /// (<see cref="PluginUrls.Of"/>), never the descriptor's. Opening an open plugin again changes nothing. Every peer,
    /// the opener too, hears <see cref="PluginActivated"/>.
    /// </summary>
    public ActivePlugin Activate(RoomPeer peer, string pluginId, ReadOnlyMemory<byte> descriptor, Plugin? registered)
    {
        if (!peer.Permissions.PluginsCanStart)
        {
            throw new DomainException(DomainError.Forbidden, "your preset does not allow this (plugins.can_start)");
        }

        if (registered is not null && !registered.StartableBy(peer.Participant.PresetName))
        {
            throw new DomainException(DomainError.Forbidden, $"plugin {registered.Name} may be started by the presets {string.Join(", ", registered.Presets)} only");
        }

        if (registered is not null && !PluginUrls.IsFrameable(registered.BaseUrl))
        {
            throw new DomainException(DomainError.Conflict, $"plugin {registered.Name}'s base_url is not {PluginUrls.Rule}; the app must change it first (PATCH /plugins/{registered.Id})");
        }

        PluginLimits.CheckName(pluginId, "id");
        PluginLimits.CheckValue(descriptor, "descriptor", pluginId);
        string? baseUrl = PluginUrls.Of(pluginId, registered);
        PluginDescriptors.Check(descriptor, pluginId, baseUrl);
        lock (_lock)
        {
            if (_active.TryGetValue(pluginId, out var open))
            {
                return open;
            }

            if (_active.Count >= PluginLimits.MaxActivePlugins)
            {
                throw new DomainException(DomainError.TooMany, $"at most {PluginLimits.MaxActivePlugins} plugins may be open in a meeting at once");
            }

            var plugin = new ActivePlugin(pluginId, descriptor.ToArray(), baseUrl, peer.Id, _time.GetUtcNow());
            _active.Add(pluginId, plugin);
            _room.Publish(new PluginActivated(plugin), except: null, to: null);
            return plugin;
        }
    }

    /// <summary>
    /// Closes a plugin for everyone: its opener may, and anyone whose preset has <c>plugins.can_close</c>. Its shared
    /// stores stay for the session (opened again, it finds its data). False when it was not open.
    /// </summary>
    public bool Deactivate(RoomPeer peer, string pluginId)
    {
        lock (_lock)
        {
            if (!_active.TryGetValue(pluginId, out var open))
            {
                return false;
            }

            if (open.OpenedBy != peer.Id && !peer.Permissions.PluginsCanClose)
            {
                throw new DomainException(DomainError.Forbidden, "your preset does not allow closing a plugin someone else opened (plugins.can_close)");
            }

            _active.Remove(pluginId);
            _room.Publish(new PluginDeactivated(pluginId, peer.Id, _time.GetUtcNow()), except: null, to: null);
            return true;
        }
    }

    /// <summary>
    /// A plugin's own event (<paramref name="data"/>, JSON), from one of its instances to the others: passed on at once to
    /// every other peer, or to the peers <paramref name="to"/> names by id, never stored (a late joiner reads the plugin's
    /// stores instead). Only for an open plugin, from a peer that sees it; within <see cref="PluginLimits.MaxValueBytes"/>
    /// and charged to the sender's budgets, like a store write.
    /// </summary>
    public void SendEvent(RoomPeer peer, string pluginId, ReadOnlyMemory<byte> data, IReadOnlySet<string>? to)
    {
        PluginLimits.CheckName(pluginId, "id");
        PluginLimits.CheckValue(data, "event", pluginId);
        Func<RoomPeer, bool>? chosen = to is null ? null : p => to.Contains(p.Id);
        lock (_lock)
        {
            CheckMayWrite(peer, pluginId, ownStores: false);
            _budgets.Take(peer, data.Length, _room.Peers.Count(p => p != peer && p.Client is not null && (chosen?.Invoke(p) ?? true)));
        }

        _room.Publish(new PluginEventSent(pluginId, data.ToArray(), peer.Id, to is not null), except: peer, to: chosen);
    }

    /// <summary>
    /// Whether <paramref name="peer"/> may write to <paramref name="pluginId"/>'s stores or send its events: a peer that
    /// sees no plugin (a livestream's viewer off the stage, to whom RealtimeKit's UI kit shows none) may not, and a
    /// plugin must be open (nobody sees a closed one). The meeting's own stores (plugin id: the meeting's id, RealtimeKit
    /// 2.0.x's <c>meeting.stores</c>, where its plugins keep their data) are open while the meeting is, when
    /// <paramref name="ownStores"/>. Under the lock.
    /// </summary>
    private void CheckMayWrite(RoomPeer peer, string pluginId, bool ownStores)
    {
        if (peer.Permissions.ViewType == "LIVESTREAM" && peer.Stage != StageStatus.OnStage)
        {
            throw new DomainException(DomainError.Forbidden, "a livestream's viewer sees no plugins: it may write to them once on the stage");
        }

        if (!(ownStores && pluginId == _room.MeetingId) && !_active.ContainsKey(pluginId))
        {
            throw new DomainException(DomainError.Conflict, $"the plugin {pluginId} is not open in this meeting");
        }
    }
}
