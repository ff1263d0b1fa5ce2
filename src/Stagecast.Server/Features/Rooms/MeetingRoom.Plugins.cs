using Stagecast.Server.Features.Plugins;
using Stagecast.Server.Hosting;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.Rooms;

/// <summary>
/// The meeting's plugins: which are open (for everyone), and what their frames send each other. Their shared stores:
/// MeetingRoom.PluginStores.cs. What a peer's plugin frames send (store writes and events) is charged to two budgets
/// of its own: a count (<see cref="RoomOptions.PluginWritesPerSecond"/>) and the bytes it has the server send the
/// peers (<see cref="RoomOptions.PluginBytesPerSecond"/>), so a write fanned out to a large meeting costs as much as it
/// sends.
/// </summary>
public sealed partial class MeetingRoom
{
    private readonly Lock _pluginsLock = new();
    private readonly Dictionary<string, ActivePlugin> _activePlugins = new(StringComparer.Ordinal);

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
    /// opener's client says of it (a JSON object, kept as given and shown to the others, which names no web app but the
    /// plugin's own: <see cref="PluginDescriptors"/>). The web app pages frame is the registration's or Stagecast's own
    /// (<see cref="PluginUrls.Of"/>), never the descriptor's. Opening an open plugin again changes nothing. Every peer,
    /// the opener too, hears <see cref="PluginActivated"/>.
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

        if (registered is not null && !PluginUrls.IsFrameable(registered.BaseUrl))
        {
            throw new DomainException(DomainError.Conflict, $"plugin {registered.Name}'s base_url is not {PluginUrls.Rule}; the app must change it first (PATCH /plugins/{registered.Id})");
        }

        PluginLimits.CheckName(pluginId, "id");
        PluginLimits.CheckValue(descriptor, "descriptor", pluginId);
        string? baseUrl = PluginUrls.Of(pluginId, registered);
        PluginDescriptors.Check(descriptor, pluginId, baseUrl);
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

            var plugin = new ActivePlugin(pluginId, descriptor.ToArray(), baseUrl, peer.Id, _time.GetUtcNow());
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

    /// <summary>
    /// A plugin's own event (<paramref name="data"/>, JSON), from one of its instances to the others: passed on at once to
    /// every other peer, or to the peers <paramref name="to"/> names by id, never stored (a late joiner reads the plugin's
    /// stores instead). Only for an open plugin, from a peer that sees it; within <see cref="PluginLimits.MaxValueBytes"/>
    /// and charged to the sender's budgets, like a store write.
    /// </summary>
    public void SendPluginEvent(RoomPeer peer, string pluginId, ReadOnlyMemory<byte> data, IReadOnlySet<string>? to)
    {
        PluginLimits.CheckName(pluginId, "id");
        PluginLimits.CheckValue(data, "event", pluginId);
        Func<RoomPeer, bool>? chosen = to is null ? null : p => to.Contains(p.Id);
        lock (_pluginsLock)
        {
            CheckMayWrite(peer, pluginId, ownStores: false);
            TakePluginWrite(peer, data.Length, _snapshot.Count(p => p != peer && p.Client is not null && (chosen?.Invoke(p) ?? true)));
        }

        Publish(new PluginEventSent(pluginId, data.ToArray(), peer.Id, to is not null), except: peer, to: chosen);
    }

    /// <summary>
    /// Whether <paramref name="peer"/> may write to <paramref name="pluginId"/>'s stores or send its events: a peer that
    /// sees no plugin (a livestream's viewer off the stage, to whom RealtimeKit's UI kit shows none) may not, and a
    /// plugin must be open (nobody sees a closed one). The meeting's own stores (plugin id: the meeting's id, RealtimeKit
    /// 2.0.x's <c>meeting.stores</c>, where its plugins keep their data) are open while the meeting is, when
    /// <paramref name="ownStores"/>. Under the plugins' lock.
    /// </summary>
    private void CheckMayWrite(RoomPeer peer, string pluginId, bool ownStores)
    {
        if (peer.Permissions.ViewType == "LIVESTREAM" && peer.Stage != StageStatus.OnStage)
        {
            throw new DomainException(DomainError.Forbidden, "a livestream's viewer sees no plugins: it may write to them once on the stage");
        }

        if (!(ownStores && pluginId == MeetingId) && !_activePlugins.ContainsKey(pluginId))
        {
            throw new DomainException(DomainError.Conflict, $"the plugin {pluginId} is not open in this meeting");
        }
    }

    /// <summary>
    /// Charges one store write or plugin event to the peer's rate and its <paramref name="bytes"/>, sent to
    /// <paramref name="peers"/> peers, to its byte budget (under the plugins' lock); past either, refused (429), and a
    /// write larger than a burst (413). Nothing is charged for a write refused before it.
    /// </summary>
    private void TakePluginWrite(RoomPeer peer, long bytes, int peers)
    {
        double burst = (double)_options.PluginBytesPerSecond * RoomOptions.PluginByteBurstSeconds;
        long sent = bytes * Math.Max(peers, 1);
        if (sent > burst)
        {
            throw new DomainException(DomainError.TooLarge,
                $"this would send {sent} bytes ({bytes} to each of {peers} peers); a peer's plugins may send at most {burst} at once: write less at a time");
        }

        peer.PluginWrites ??= new TokenBucket(_time, _options.PluginWritesPerSecond, _options.PluginWritesPerSecond * 2.0);
        if (!peer.PluginWrites.TryTake())
        {
            throw new DomainException(DomainError.TooMany, $"a peer may send plugin events and write plugin stores {_options.PluginWritesPerSecond} times a second; slow down");
        }

        peer.PluginBytes ??= new TokenBucket(_time, _options.PluginBytesPerSecond, burst);
        if (!peer.PluginBytes.TryTake(sent))
        {
            throw new DomainException(DomainError.TooMany,
                $"a peer's plugins may have {_options.PluginBytesPerSecond} bytes a second sent to the meeting's peers (this: {bytes} bytes to each of {peers}); slow down");
        }
    }
}
