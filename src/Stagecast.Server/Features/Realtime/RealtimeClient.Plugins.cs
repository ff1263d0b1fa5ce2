using System.Text;
using System.Text.Json.Nodes;
using Stagecast.Server.Features.Plugins;
using Stagecast.Server.Features.Realtime.Protocol;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Database;

namespace Stagecast.Server.Features.Realtime;

/// <summary>
/// Plugins on the channel: the room's open plugins and their shared stores (<see cref="MeetingRoom"/>'s, which
/// RealtimeKit's socket shares), so peers of both front ends see one set open. A plugin is Stagecast's own
/// (<see cref="StagecastPlugins"/>) or one of the app's registered plugins; opening, closing and wiping read the
/// participant's preset again first, as every privileged request.
/// </summary>
public sealed partial class RealtimeClient
{
    /// <summary>The registered plugins <c>plugins_list</c> lists at most (the app's first, oldest first), as <c>GET /v2/plugins/user</c>.</summary>
    private const int MaxListedPlugins = 100;

    /// <summary><c>plugins_list</c>: what the participant may open (Stagecast's notes pad first), and what is open now.</summary>
    internal async Task<RealtimeAnswer> PluginsListAsync()
    {
        var page = await services.Plugins.ListAsync(Participant.AppId, null, new Paging(1, MaxListedPlugins), CancellationToken.None).ConfigureAwait(false);
        bool canStart = Permissions.PluginsCanStart;
        PluginInfoView[] plugins =
        [
            new(StagecastPlugins.NotesId, StagecastPlugins.NotesName, StagecastPlugins.NotesDescription, null, origin + StagecastPlugins.NotesPath, canStart),
            .. page.Items.Select(p => new PluginInfoView(p.Id, p.Name, p.Description, p.Picture, p.BaseUrl, canStart && p.StartableBy(Participant.PresetName))),
        ];
        return new PluginsAnswer(plugins, [.. _room!.Plugins.Active.Select(PluginView.Of)]);
    }

    /// <summary>
    /// <c>plugin_activate</c>: opens Stagecast's notes pad or a registered plugin for everyone (its descriptor: id, name
    /// and its web app: the registration's, or the notes pad's path on this server, whatever host the socket named).
    /// </summary>
    internal async Task<RealtimeAnswer> ActivatePluginAsync(PluginIdRequest request)
    {
        await RecheckCredentialAsync().ConfigureAwait(false);
        string id = request.PluginId!;
        Plugin? registered = null;
        JsonObject descriptor;
        if (id == StagecastPlugins.NotesId)
        {
            descriptor = new JsonObject { ["id"] = id, ["name"] = StagecastPlugins.NotesName, ["base_url"] = StagecastPlugins.NotesPath };
        }
        else
        {
            registered = await services.Plugins.FindAsync(Participant.AppId, id, CancellationToken.None).ConfigureAwait(false)
                ?? throw new DomainException(DomainError.NotFound, $"No plugin found with id {id}");
            descriptor = new JsonObject { ["id"] = id, ["name"] = registered.Name, ["base_url"] = registered.BaseUrl };
        }

        var plugin = _room!.Plugins.Activate(_peer!, id, Encoding.UTF8.GetBytes(descriptor.ToJsonString()), registered);
        return new PluginAnswer(PluginView.Of(plugin));
    }

    /// <summary><c>plugin_deactivate</c>: closes an open plugin for everyone (its opener, or <c>plugins.can_close</c>).</summary>
    internal async Task<RealtimeAnswer> DeactivatePluginAsync(PluginIdRequest request)
    {
        await RecheckCredentialAsync().ConfigureAwait(false);
        return _room!.Plugins.Deactivate(_peer!, request.PluginId!)
            ? EmptyAnswer.Instance
            : throw new DomainException(DomainError.NotFound, $"the plugin {request.PluginId} is not open");
    }

    /// <summary><c>plugin_store_get</c>.</summary>
    internal Task<RealtimeAnswer> PluginStoreGetAsync(PluginStoreKeysRequest request) =>
        Task.FromResult<RealtimeAnswer>(new PluginStoreAnswer(request.PluginId!, request.Store!,
            [.. _room!.Plugins.Store(request.PluginId!, request.Store!, request.Keys ?? []).Select(PluginStoreItemView.Of)]));

    /// <summary><c>plugin_store_insert</c>: every peer hears <c>plugin_store_updated</c>, the writer too.</summary>
    internal Task<RealtimeAnswer> PluginStoreInsertAsync(PluginStoreInsertRequest request)
    {
        _room!.Plugins.InsertKeys(_peer!, request.PluginId!, request.Store!,
            [.. request.Items!.Select(i => (i.Key ?? "", (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(i.Value?.GetRawText() ?? "null")))]);
        return Task.FromResult<RealtimeAnswer>(EmptyAnswer.Instance);
    }

    /// <summary><c>plugin_store_delete</c>: the keys named, or with none the whole store (<c>plugins.can_edit_config</c>).</summary>
    internal async Task<RealtimeAnswer> PluginStoreDeleteAsync(PluginStoreKeysRequest request)
    {
        if (request.Keys is { Length: > 0 } keys)
        {
            _room!.Plugins.DeleteKeys(_peer!, request.PluginId!, request.Store!, keys);
        }
        else
        {
            await RecheckCredentialAsync().ConfigureAwait(false);
            _room!.Plugins.DeleteStore(_peer!, request.PluginId!, request.Store!);
        }

        return EmptyAnswer.Instance;
    }
}
