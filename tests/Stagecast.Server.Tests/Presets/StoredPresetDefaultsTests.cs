using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.Server.Features.Presets;
using Stagecast.Server.Hosting.Database;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Presets;

/// <summary>
/// Presets saved before a field existed (their rows written as an older server wrote them) read with the field's
/// default: an app's default host preset from before plugins may start, close and configure plugins as a new one may; a
/// preset of the app's own gets RealtimeKit's defaults for what it lacks; what either stored stays as stored.
/// </summary>
[Trait(ContractSuite.Trait, ContractSuite.Name)]
public sealed class StoredPresetDefaultsTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    /// <summary>A host's permissions as a server before plugins (and before the stage and a host's controls) saved them.</summary>
    private const string HostBeforePlugins = """
        {"can_livestream":true,"can_record":false,"can_produce_audio":true,"can_produce_video":true,"can_produce_screenshare":true,
         "kick_participant":true,"accept_waiting_requests":true,"hidden_participant":false,
         "media":{"audio":{"can_produce":"ALLOWED"},"video":{"can_produce":"ALLOWED"},"screenshare":{"can_produce":"ALLOWED"}},
         "chat":{"can_send":false,"can_receive":true},"polls":{"can_create":true,"can_vote":true,"can_view":true}}
        """;

    [Fact]
    public async Task APresetSavedBeforePluginsReadsWithThePluginFlagsItsNameHasByDefault()
    {
        var api = await server.NewTenantAsync();
        var db = server.App.Services.GetRequiredService<SqlDatabase>();
        string host = (await api.GetAsync("/presets")).EnsureOk().Data.EnumerateArray().First(p => p.GetProperty("name").GetString() == "group_call_host").GetProperty("id").GetString()!;
        await db.WithConnectionAsync(c => c.ExecuteAsync("UPDATE presets SET permissions = @permissions, config = '{}', ui = '{}' WHERE id = @host",
            new { permissions = HostBeforePlugins, host }), CancellationToken.None);
        string own = Guid.NewGuid().ToString();
        await db.WithConnectionAsync(c => c.ExecuteAsync(
            "INSERT INTO presets (id, app_id, name, config, permissions, ui, created_at, updated_at) VALUES (@own, @app, 'moderator', @config, @permissions, '{}', 0, 0)",
            new { own, app = api.AppId, config = """{"view_type":"WEBINAR"}""", permissions = HostBeforePlugins }), CancellationToken.None);

        var hostPreset = (await api.GetAsync($"/presets/{host}")).EnsureOk().Data;
        var plugins = hostPreset.GetProperty("permissions").GetProperty("plugins");
        Assert.True(plugins.GetProperty("can_start").GetBoolean(), hostPreset.ToString());
        Assert.True(plugins.GetProperty("can_close").GetBoolean());
        Assert.True(plugins.GetProperty("can_edit_config").GetBoolean());
        Assert.Equal("GROUP_CALL", hostPreset.GetProperty("config").GetProperty("view_type").GetString());
        Assert.True(hostPreset.GetProperty("ui").TryGetProperty("design_tokens", out _));
        // What it stored stays: no recording, no chat (and RealtimeKit's chat.public.can_send says the same).
        Assert.False(hostPreset.GetProperty("permissions").GetProperty("can_record").GetBoolean());
        Assert.False(hostPreset.GetProperty("permissions").GetProperty("chat").GetProperty("public").GetProperty("can_send").GetBoolean());

        var ownPreset = (await api.GetAsync($"/presets/{own}")).EnsureOk().Data;
        var ownPlugins = ownPreset.GetProperty("permissions").GetProperty("plugins");
        Assert.Equal(JsonValueKind.False, ownPlugins.GetProperty("can_start").ValueKind);
        Assert.Equal(JsonValueKind.False, ownPlugins.GetProperty("can_close").ValueKind);
        Assert.Equal(JsonValueKind.False, ownPlugins.GetProperty("can_edit_config").ValueKind);
        Assert.Equal("WEBINAR", ownPreset.GetProperty("config").GetProperty("view_type").GetString());

        // What the server acts on reads the same: the host may open plugins; the patched preset keeps its other flags.
        var presets = server.App.Services.GetRequiredService<PresetService>();
        Assert.True((await presets.FindAsync(api.AppId, host, CancellationToken.None)).Effective.PluginsCanStart);
        var patched = (await api.SendAsync(HttpMethod.Patch, $"/presets/{own}", """{"permissions":{"plugins":{"can_start":true}}}""")).EnsureOk().Data;
        Assert.True(patched.GetProperty("permissions").GetProperty("plugins").GetProperty("can_start").GetBoolean());
        Assert.False(patched.GetProperty("permissions").GetProperty("plugins").GetProperty("can_close").GetBoolean());
        Assert.True(patched.GetProperty("permissions").GetProperty("kick_participant").GetBoolean());
    }
}
