using System.Text.Json.Nodes;
using Google.Protobuf;
using Stagecast.RealtimeKit;
using Stagecast.RealtimeKit.Protocol;
using Stagecast.RealtimeKit.Protocol.Plugins;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Hosting;
using Events = Stagecast.RealtimeKit.RealtimeKitEvents;

namespace Stagecast.Server.Features.RealtimeKit.Socket;

/// <summary>
/// Plugin stores on RealtimeKit's socket (plugin events 9-12), translated into the room's plugins
/// (<see cref="MeetingRoom"/>'s). The store <c>__rtk_plugins__</c> is the SDK's (2.0.x) list of open plugins: a key set to
/// a value opens that plugin for the meeting, set to <c>null</c> or deleted closes it. Every other store is a plugin's
/// shared store, kept by the room for the session. Writes are not answered (the SDK awaits nothing); every client hears
/// them as a push of the same event (<see cref="RealtimeKitPushes"/>), the writer too, under its own peer id so its SDK
/// skips what it wrote itself. Opening, closing and wiping a store read the participant's preset again first.
/// The open plugins may be read before the join (the SDK reads <c>__rtk_plugins__</c> at init and fails without an
/// answer); a plugin's stores only once joined (a waiter reads them empty). SDK 1.5.x
/// opens and closes the app's registered plugins with plugin events 1 and 6 and lists the open ones with event 0: the
/// same room plugins, so both SDKs' peers see one set open. Its plugin frames' own events (7 to the room, 8 to chosen
/// peers) pass to the other peers' frames of an open plugin, unanswered and unstored (2.0.x has no such events: a
/// plugin there is the app's element, which speaks through the stores or <c>broadcastMessage</c>).
/// </summary>
public sealed partial class RealtimeKitClient
{
    /// <summary>The store in which RealtimeKit's SDK (2.0.x) keeps which plugins are open, keyed by plugin id.</summary>
    public const string ActivePluginsStore = "__rtk_plugins__";

    private static bool IsPluginEvent(uint @event) => @event is Events.Plugins.StoreInsertKeys or Events.Plugins.StoreGetKeys
        or Events.Plugins.StoreDeleteKeys or Events.Plugins.StoreDelete or Events.Plugins.GetPlugins or Events.Plugins.AddPlugin or Events.Plugins.RemovePlugin
        or Events.Plugins.CustomPluginEventToRoom or Events.Plugins.CustomPluginEventToPeers;

    private async Task<IMessage?> PluginRequestAsync(SocketMessage message)
    {
        var room = _room ?? services.Rooms.Find(Participant.MeetingId);
        if (message.Event == Events.Plugins.GetPlugins)
        {
            var open = new EnablePluginsResponse();
            open.Plugins.AddRange(room?.Plugins.Active.Select(p => new EnablePluginResponse { PluginId = p.Id, EnabledBy = _views.IdOf(p.OpenedBy) }) ?? []);
            return open;
        }

        if (message.Event == Events.Plugins.StoreGetKeys)
        {
            var get = Read(message, PluginStoreGetKeysRequest.Parser);
            var answer = new PluginStoreResponse { PluginId = get.PluginId, StoreName = get.StoreName };
            if (room is not null && (get.StoreName == ActivePluginsStore || _peer is not null))
            {
                answer.StoreItems.AddRange(get.StoreName == ActivePluginsStore
                    ? room.Plugins.Active.Select(_views.PluginItem)
                    : room.Plugins.Store(get.PluginId, get.StoreName, [.. get.GetKeys.Select(k => k.StoreKey)]).Select(_views.StoreItem));
            }

            return answer;
        }

        if ((_room, _peer) is not ({ } joined, { } peer))
        {
            throw new DomainException(DomainError.Conflict, "join the room first (room.joinRoom)");
        }

        switch (message.Event)
        {
            case Events.Plugins.AddPlugin:
                await OpenRegisteredAsync(joined, await RecheckAsync(peer).ConfigureAwait(false), Read(message, AddPluginRequest.Parser).PluginId).ConfigureAwait(false);
                return null;
            case Events.Plugins.RemovePlugin:
                joined.Plugins.Deactivate(await RecheckAsync(peer).ConfigureAwait(false), Read(message, RemovePluginRequest.Parser).PluginId);
                return null;
            case Events.Plugins.CustomPluginEventToRoom:
                var toRoom = Read(message, PluginEventToRoomRequest.Parser);
                joined.Plugins.SendEvent(peer, toRoom.PluginId, toRoom.PluginData.Memory, to: null);
                return null;
            case Events.Plugins.CustomPluginEventToPeers:
                var toPeers = Read(message, PluginEventToPeersRequest.Parser);
                joined.Plugins.SendEvent(peer, toPeers.PluginId, toPeers.PluginData.Memory, toPeers.PeerIds.ToHashSet(StringComparer.Ordinal));
                return null;
            case Events.Plugins.StoreInsertKeys:
                var insert = Read(message, PluginStoreInsertKeysRequest.Parser);
                if (insert.StoreName == ActivePluginsStore)
                {
                    await RecheckAsync(peer).ConfigureAwait(false);
                    foreach (var key in insert.InsertKeys)
                    {
                        await OpenOrCloseAsync(joined, peer, insert, key).ConfigureAwait(false);
                    }
                }
                else
                {
                    joined.Plugins.InsertKeys(peer, insert.PluginId, insert.StoreName, [.. insert.InsertKeys.Select(k => (k.StoreKey, (ReadOnlyMemory<byte>)k.Payload.Memory))]);
                }

                return null;
            case Events.Plugins.StoreDeleteKeys:
                var delete = Read(message, PluginStoreDeleteKeysRequest.Parser);
                if (delete.StoreName == ActivePluginsStore)
                {
                    await RecheckAsync(peer).ConfigureAwait(false);
                    foreach (var key in delete.DeleteKeys)
                    {
                        joined.Plugins.Deactivate(peer, key.StoreKey);
                    }
                }
                else
                {
                    joined.Plugins.DeleteKeys(peer, delete.PluginId, delete.StoreName, [.. delete.DeleteKeys.Select(k => k.StoreKey)]);
                }

                return null;
            case Events.Plugins.StoreDelete:
                var drop = Read(message, PluginStoreDeleteRequest.Parser);
                if (drop.StoreName == ActivePluginsStore)
                {
                    throw new DomainException(DomainError.BadRequest, $"the store {ActivePluginsStore} cannot be deleted; close its plugins one by one");
                }

                joined.Plugins.DeleteStore(await RecheckAsync(peer).ConfigureAwait(false), drop.PluginId, drop.StoreName);
                return null;
            default:
                throw new DomainException(DomainError.BadRequest, $"plugin event 0x{message.Event:x} is not supported by this server");
        }
    }

    /// <summary>
    /// <c>plugins.addPlugin</c> (1.5.x): opens one of the app's registered plugins, if the participant's preset is among
    /// those it names. Every client, the opener's too, opens it on the push (1.5.x opens nothing on its own).
    /// </summary>
    private async Task OpenRegisteredAsync(MeetingRoom room, RoomPeer peer, string pluginId)
    {
        var plugin = await services.Plugins.FindAsync(Participant.AppId, pluginId, CancellationToken.None).ConfigureAwait(false)
            ?? throw new DomainException(DomainError.NotFound, $"No plugin found with id {pluginId}");
        room.Plugins.Activate(peer, plugin.Id, System.Text.Encoding.UTF8.GetBytes(new JsonObject { ["id"] = plugin.Id, ["name"] = plugin.Name }.ToJsonString()), plugin);
    }

    /// <summary>
    /// A key of <c>__rtk_plugins__</c> set: opens or closes that plugin (one of the app's registered plugins as its
    /// presets allow). The SDK has already opened (or closed) it on its own screen when it writes; refused, it is told the
    /// store's value as it stands, so its screen follows the room's.
    /// </summary>
    private async Task OpenOrCloseAsync(MeetingRoom room, RoomPeer peer, PluginStoreInsertKeysRequest insert, StoreKeys key)
    {
        bool close = !key.HasPayload || key.Payload.Span.Trim(" \t\r\n"u8).SequenceEqual("null"u8);
        var registered = close ? null : await services.Plugins.FindAsync(Participant.AppId, key.StoreKey, CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (close)
            {
                room.Plugins.Deactivate(peer, key.StoreKey);
            }
            else
            {
                room.Plugins.Activate(peer, key.StoreKey, key.Payload.Memory, registered);
            }
        }
        catch (DomainException)
        {
            var open = room.Plugins.Active.FirstOrDefault(p => p.Id == key.StoreKey);
            var actual = open is null ? _views.ClosedPlugin(key.StoreKey, "", services.Time.GetUtcNow()) : _views.PluginItem(open);
            actual.PeerId = ""; // not the writer's own: its SDK takes it
            connection.TrySend(SocketFrameWriter.Push(Events.Plugins.StoreInsertKeys,
                new PluginStoreResponse { PluginId = insert.PluginId, StoreName = ActivePluginsStore, StoreItems = { actual } }));
            throw;
        }
    }
}
