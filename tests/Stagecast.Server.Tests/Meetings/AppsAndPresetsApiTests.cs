using System.Net;
using System.Text.Json;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Meetings;

/// <summary>Apps of an account and the presets of an app, with their error cases.</summary>
[Trait(ContractSuite.Trait, ContractSuite.Name)]
public sealed class AppsAndPresetsApiTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static readonly string[] DefaultNames =
        ["group_call_host", "group_call_participant", "webinar_host", "webinar_viewer", "livestream_host", "livestream_viewer", "audio_room_host", "audio_room_listener"];

    [Theory]
    [InlineData("/client/v4")]
    [InlineData("")]
    public async Task AppsAreListedAndCreatedPerAccountUnderBothBasePaths(string prefix)
    {
        var api = await server.NewTenantAsync();
        string apps = $"{prefix}/accounts/{api.AccountId}/realtime/kit/apps";
        var created = await api.SendAsync(HttpMethod.Post, apps, """{"name":"web"}""");
        Assert.Equal(HttpStatusCode.Created, created.Status);
        string id = created.Data.GetProperty("id").GetString()!;
        Assert.Equal("web", created.Data.GetProperty("name").GetString());
        Assert.Equal(id, created.Data.GetProperty("app").GetProperty("id").GetString()); // the shape Cloudflare's SDK types

        var list = (await api.GetAsync(apps)).EnsureOk();
        Assert.Equal([id, api.AppId], list.Data.EnumerateArray().Select(a => a.GetProperty("id").GetString()));
        Assert.Equal(2, list.Body.GetProperty("paging").GetProperty("total_count").GetInt64());
        var searched = (await api.GetAsync(apps + "?search=we")).EnsureOk().Data;
        Assert.Equal([id], searched.EnumerateArray().Select(a => a.GetProperty("id").GetString()));

        // The new app works at once, with the default presets.
        var presets = (await api.GetAsync($"{prefix}/accounts/{api.AccountId}/realtime/kit/{id}/presets")).EnsureOk().Data;
        Assert.Equal(DefaultNames, presets.EnumerateArray().Select(p => p.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task AppErrors()
    {
        var alice = await server.NewTenantAsync();
        var bob = await server.NewTenantAsync();
        string apps = $"/client/v4/accounts/{alice.AccountId}/realtime/kit/apps";
        var missingName = await alice.SendAsync(HttpMethod.Post, apps, "{}");
        Assert.Equal(HttpStatusCode.BadRequest, missingName.Status);
        Assert.Equal("BAD_REQUEST: \"name\" is required", missingName.ErrorMessage);
        Assert.Equal(HttpStatusCode.BadRequest, (await alice.SendAsync(HttpMethod.Post, apps, """{"name":7}""")).Status);

        var foreign = await alice.SendAsync(HttpMethod.Get, apps, bearer: bob.Token);
        Assert.Equal(HttpStatusCode.NotFound, foreign.Status);
        Assert.Equal($"No account found with id {alice.AccountId}", foreign.ErrorMessage);
        Assert.Equal(HttpStatusCode.Unauthorized, (await alice.SendAsync(HttpMethod.Get, apps, bearer: "sct_wrong")).Status);
    }

    [Fact]
    public async Task DefaultPresetsGiveHostsEverythingAndViewersTheStageOnRequest()
    {
        var api = await server.NewTenantAsync();
        var presets = (await api.GetAsync("/presets")).EnsureOk().Data.EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        Assert.Equal(DefaultNames.Order(), presets.Keys.Order());
        foreach (string host in new[] { "group_call_host", "webinar_host", "livestream_host" })
        {
            var permissions = presets[host].GetProperty("permissions");
            Assert.All(["can_livestream", "can_produce_audio", "can_produce_video", "can_produce_screenshare", "kick_participant", "accept_waiting_requests"],
                flag => Assert.True(permissions.GetProperty(flag).GetBoolean(), $"{host}.{flag}"));
            Assert.True(permissions.GetProperty("polls").GetProperty("can_create").GetBoolean());
        }

        // Viewers produce nothing without asking: they may ask for the stage, and produce while on it.
        foreach (string viewer in new[] { "webinar_viewer", "livestream_viewer", "audio_room_listener" })
        {
            var permissions = presets[viewer].GetProperty("permissions");
            Assert.All(["can_livestream", "can_produce_audio", "can_produce_video", "can_produce_screenshare", "kick_participant", "accept_stage_requests"],
                flag => Assert.False(permissions.GetProperty(flag).GetBoolean(), $"{viewer}.{flag}"));
            Assert.Equal(("CAN_REQUEST", "CAN_REQUEST"), (permissions.GetProperty("stage_access").GetString(), permissions.GetProperty("media").GetProperty("audio").GetProperty("can_produce").GetString()));
            Assert.True(permissions.GetProperty("stage_enabled").GetBoolean());
            Assert.True(permissions.GetProperty("chat").GetProperty("can_send").GetBoolean());
            Assert.True(permissions.GetProperty("polls").GetProperty("can_vote").GetBoolean());
        }

        foreach (string host in new[] { "webinar_host", "livestream_host", "audio_room_host" })
        {
            var permissions = presets[host].GetProperty("permissions");
            Assert.Equal(("ALLOWED", true), (permissions.GetProperty("stage_access").GetString(), permissions.GetProperty("accept_stage_requests").GetBoolean()));
        }

        Assert.False(presets["group_call_host"].GetProperty("permissions").GetProperty("stage_enabled").GetBoolean());
        Assert.Equal("NOT_ALLOWED", presets["audio_room_listener"].GetProperty("permissions").GetProperty("media").GetProperty("video").GetProperty("can_produce").GetString());
        Assert.Equal("WEBINAR", presets["webinar_viewer"].GetProperty("config").GetProperty("view_type").GetString());
        Assert.Equal("LIVESTREAM", presets["livestream_host"].GetProperty("config").GetProperty("view_type").GetString());
        Assert.Equal("AUDIO_ROOM", presets["audio_room_host"].GetProperty("config").GetProperty("view_type").GetString());
    }

    [Fact]
    public async Task PresetCrud()
    {
        var api = await server.NewTenantAsync();
        var created = await api.PostAsync("/presets", """
            {"name":"speaker","config":{"view_type":"WEBINAR"},"permissions":{"can_livestream":true,"polls":{"can_create":true}},"ui":{"design_tokens":{"theme":"light"}}}
            """);
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var preset = created.Data;
        string id = preset.GetProperty("id").GetString()!;
        Assert.EndsWith($"/presets/{id}", created.Headers.Location!.ToString());
        Assert.Equal("WEBINAR", preset.GetProperty("config").GetProperty("view_type").GetString());
        Assert.True(preset.GetProperty("permissions").GetProperty("can_livestream").GetBoolean());
        Assert.True(preset.GetProperty("permissions").GetProperty("polls").GetProperty("can_create").GetBoolean());
        Assert.False(preset.GetProperty("permissions").GetProperty("kick_participant").GetBoolean()); // what was not given: the template
        Assert.Equal("light", preset.GetProperty("ui").GetProperty("design_tokens").GetProperty("theme").GetString());

        Assert.Equal(preset.ToString(), (await api.GetAsync($"/presets/{id}")).EnsureOk().Data.ToString());
        Assert.Equal(["speaker"], (await api.GetAsync("/presets?search=speak")).EnsureOk().Data.EnumerateArray().Select(p => p.GetProperty("name").GetString()));

        // PATCH merges: only what it names changes.
        var patched = (await api.SendAsync(HttpMethod.Patch, $"/presets/{id}", """{"permissions":{"kick_participant":true}}""")).EnsureOk().Data;
        Assert.True(patched.GetProperty("permissions").GetProperty("kick_participant").GetBoolean());
        Assert.True(patched.GetProperty("permissions").GetProperty("can_livestream").GetBoolean());
        Assert.Equal("WEBINAR", patched.GetProperty("config").GetProperty("view_type").GetString());

        // PUT replaces: what it leaves out goes back to the defaults.
        var replaced = (await api.SendAsync(HttpMethod.Put, $"/presets/{id}", """{"name":"speaker2","config":{"view_type":"AUDIO_ROOM"}}""")).EnsureOk().Data;
        Assert.Equal("speaker2", replaced.GetProperty("name").GetString());
        Assert.Equal("AUDIO_ROOM", replaced.GetProperty("config").GetProperty("view_type").GetString());
        Assert.False(replaced.GetProperty("permissions").GetProperty("can_livestream").GetBoolean());
        Assert.False(replaced.GetProperty("permissions").GetProperty("kick_participant").GetBoolean());

        var deleted = (await api.SendAsync(HttpMethod.Delete, $"/presets/{id}")).EnsureOk().Data;
        Assert.Equal(id, deleted.GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/presets/{id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await api.SendAsync(HttpMethod.Delete, $"/presets/{id}")).Status);
    }

    [Fact]
    public async Task BothFormsOfProducePermissionsStayInStep()
    {
        var api = await server.NewTenantAsync();
        string id = (await api.PostAsync("/presets", """{"name":"p"}""")).EnsureOk().Data.GetProperty("id").GetString()!;

        // RealtimeKit's nested form changes the flat flag...
        var viaNested = (await api.SendAsync(HttpMethod.Patch, $"/presets/{id}", """{"permissions":{"media":{"video":{"can_produce":"NOT_ALLOWED"}}}}""")).EnsureOk().Data;
        Assert.False(viaNested.GetProperty("permissions").GetProperty("can_produce_video").GetBoolean());
        Assert.True(viaNested.GetProperty("permissions").GetProperty("can_produce_audio").GetBoolean());

        // ...and the flat flag changes the nested form; CAN_REQUEST counts as not allowed.
        var viaFlat = (await api.SendAsync(HttpMethod.Patch, $"/presets/{id}", """{"permissions":{"can_produce_audio":false,"chat":{"public":{"can_send":false}}}}""")).EnsureOk().Data;
        Assert.Equal("NOT_ALLOWED", viaFlat.GetProperty("permissions").GetProperty("media").GetProperty("audio").GetProperty("can_produce").GetString());
        Assert.False(viaFlat.GetProperty("permissions").GetProperty("chat").GetProperty("can_send").GetBoolean());
        var requested = (await api.SendAsync(HttpMethod.Patch, $"/presets/{id}", """{"permissions":{"media":{"screenshare":{"can_produce":"CAN_REQUEST"}}}}""")).EnsureOk().Data;
        Assert.False(requested.GetProperty("permissions").GetProperty("can_produce_screenshare").GetBoolean());
        Assert.Equal("CAN_REQUEST", requested.GetProperty("permissions").GetProperty("media").GetProperty("screenshare").GetProperty("can_produce").GetString());
    }

    [Theory]
    [InlineData("POST", """{"config":{}}""", "\"name\" is required")]
    [InlineData("POST", """{"name":"x","config":"big"}""", "\"config\" must be an object")]
    [InlineData("POST", """{"name":"x","config":{"view_type":"STADIUM"}}""", "\"config.view_type\" must be one of GROUP_CALL, WEBINAR, AUDIO_ROOM, LIVESTREAM, CHAT")]
    [InlineData("POST", """{"name":"x","permissions":{"can_livestream":"yes"}}""", "\"permissions.can_livestream\" must be true or false")]
    [InlineData("POST", """{"name":"x","permissions":{"polls":{"can_vote":1}}}""", "\"permissions.polls.can_vote\" must be true or false")]
    [InlineData("POST", """{"name":"x","permissions":{"connected_meetings":{"can_alter_connected_meetings":"yes"}}}""", "\"permissions.connected_meetings.can_alter_connected_meetings\" must be true or false")]
    [InlineData("POST", """{"name":"x","permissions":{"chat":[]}}""", "\"permissions.chat\" must be an object")]
    [InlineData("POST", """{"name":"x","permissions":{"media":{"video":{"can_produce":"SOMETIMES"}}}}""", "\"permissions.media.video.can_produce\" must be one of ALLOWED, NOT_ALLOWED, CAN_REQUEST")]
    [InlineData("POST", """{"name":"x","permissions":{"stage_access":"LATER"}}""", "\"permissions.stage_access\" must be one of ALLOWED, NOT_ALLOWED, CAN_REQUEST")]
    [InlineData("POST", """{"name":"x","permissions":{"accept_stage_requests":"yes"}}""", "\"permissions.accept_stage_requests\" must be true or false")]
    [InlineData("POST", """{"name":""}""", "\"name\" must be 1 to 256 characters")]
    [InlineData("PUT", """{"config":{}}""", "\"name\" is required")]
    public async Task InvalidPresetsAre400s(string method, string body, string message)
    {
        var api = await server.NewTenantAsync();
        string path = "/presets";
        if (method == "PUT")
        {
            path += "/" + (await api.PostAsync("/presets", """{"name":"base"}""")).EnsureOk().Data.GetProperty("id").GetString();
        }

        var reply = await api.SendAsync(new HttpMethod(method), path, body);
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal("BAD_REQUEST: " + message, reply.ErrorMessage);
    }

    [Fact]
    public async Task PresetNamesAreUniqueInAnApp()
    {
        var api = await server.NewTenantAsync();
        var taken = await api.PostAsync("/presets", """{"name":"group_call_host"}""");
        Assert.Equal(HttpStatusCode.Conflict, taken.Status);
        Assert.Equal("a preset named group_call_host already exists in this app", taken.ErrorMessage);

        string id = (await api.PostAsync("/presets", """{"name":"mine"}""")).EnsureOk().Data.GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.Conflict, (await api.SendAsync(HttpMethod.Patch, $"/presets/{id}", """{"name":"webinar_host"}""")).Status);

        // Another app may use the same name.
        var other = await server.NewTenantAsync();
        Assert.Equal(HttpStatusCode.Created, (await other.PostAsync("/presets", """{"name":"mine"}""")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/presets/{id}")).Status);
    }
}
