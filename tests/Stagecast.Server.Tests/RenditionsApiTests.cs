using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Streaming.Renditions;
using Stagecast.Testing;

namespace Stagecast.Server.Tests;

/// <summary>
/// A livestream's <c>renditions</c> and its app's <c>default_renditions</c>: what the API takes, shows and refuses,
/// and the ladder the transcoders are given (<see cref="IRenditionLadders"/>).
/// </summary>
[Trait(ContractSuite.Trait, ContractSuite.Name)]
public sealed class RenditionsApiTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const string UnknownName = "BAD_REQUEST: \"renditions\": '4k' is not a rendition; use source, 1080p, 720p, 480p, 360p, 240p, 180p.";

    [Fact]
    public async Task ALadderIsKeptSourceFirstAndFromTheTop()
    {
        var api = await server.NewTenantAsync();
        var created = await api.PostAsync("/livestreams", """{"name":"abr","renditions":["360p","720p","source"]}""");

        Assert.Equal(HttpStatusCode.Created, created.Status);
        string id = created.Data.GetProperty("id").GetString()!;
        string[] ladder = ["source", "720p", "360p"];
        Assert.Equal(ladder, Names(created.Data));
        Assert.Equal(ladder, Names((await api.GetLivestreamAsync(id)).GetProperty("livestream")));
        Assert.Equal(ladder, Names((await api.GetAsync("/livestreams")).EnsureOk().Data[0]));
        Assert.Equal(ladder, await LadderAsync(id));

        // The source alone is a ladder too, and what an empty list asks for.
        Assert.Equal(["source"], Names((await api.PostAsync("/livestreams", """{"renditions":[]}""")).Data));
    }

    [Fact]
    public async Task PatchChangesTheLadderAndNullFollowsTheAppAgain()
    {
        var api = await server.NewTenantAsync();
        string id = (await api.PostAsync("/livestreams", """{"renditions":["720p"]}""")).Data.GetProperty("id").GetString()!;
        (await PatchAppAsync(api, """{"default_renditions":["480p"]}""")).EnsureOk();

        var patched = (await api.SendAsync(HttpMethod.Patch, $"/livestreams/{id}", """{"renditions":["240p","1080p"]}""")).EnsureOk();
        Assert.Equal(["source", "1080p", "240p"], Names(patched.Data));
        Assert.Equal(["source", "1080p", "240p"], await LadderAsync(id));

        // Another setting leaves the ladder as it is; null gives it back to the app.
        var recording = (await api.SendAsync(HttpMethod.Patch, $"/livestreams/{id}", """{"recording":{"mode":"automatic"}}""")).EnsureOk();
        Assert.Equal(["source", "1080p", "240p"], Names(recording.Data));
        var following = (await api.SendAsync(HttpMethod.Patch, $"/livestreams/{id}", """{"renditions":null}""")).EnsureOk();
        Assert.Equal(["source", "480p"], Names(following.Data));
        Assert.Equal("automatic", following.Data.GetProperty("recording").GetProperty("mode").GetString());
        Assert.Equal(["source", "480p"], await LadderAsync(id));
    }

    [Fact]
    public async Task ALivestreamWithoutALadderFollowsItsAppsDefault()
    {
        var api = await server.NewTenantAsync();
        string following = (await api.CreateLivestreamAsync("following")).Id;
        string own = (await api.PostAsync("/livestreams", """{"renditions":["360p"]}""")).Data.GetProperty("id").GetString()!;
        Assert.Equal(["source"], Names((await api.GetLivestreamAsync(following)).GetProperty("livestream")));
        Assert.Equal(["source"], await LadderAsync(following));

        var app = (await PatchAppAsync(api, """{"default_renditions":["480p","720p"]}""")).EnsureOk().Data;
        Assert.Equal(api.AppId, app.GetProperty("id").GetString());
        Assert.Equal(["source", "720p", "480p"], app.GetProperty("default_renditions").EnumerateArray().Select(n => n.GetString()));
        var listed = (await api.GetAsync($"/client/v4/accounts/{api.AccountId}/realtime/kit/apps")).EnsureOk().Data[0];
        Assert.Equal(["source", "720p", "480p"], listed.GetProperty("default_renditions").EnumerateArray().Select(n => n.GetString()));

        // Existing livestreams that chose none follow, new ones start with it; one with its own keeps it.
        Assert.Equal(["source", "720p", "480p"], Names((await api.GetLivestreamAsync(following)).GetProperty("livestream")));
        Assert.Equal(["source", "720p", "480p"], await LadderAsync(following));
        Assert.Equal(["source", "720p", "480p"], Names((await api.PostAsync("/livestreams")).Data));
        Assert.Equal(["source", "360p"], Names((await api.GetLivestreamAsync(own)).GetProperty("livestream")));
        Assert.Equal(["source", "360p"], await LadderAsync(own));
    }

    [Fact]
    public async Task AMeetingLivestreamTakesALadderOrItsAppsDefault()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var started = await api.PostAsync($"/meetings/{meeting}/livestreams", """{"manual_ingest":true,"renditions":["480p","180p"]}""");

        Assert.Equal(HttpStatusCode.Created, started.Status);
        string id = started.Data.GetProperty("id").GetString()!;
        Assert.Equal(["source", "480p", "180p"], Names(started.Data));
        Assert.Equal(["source", "480p", "180p"], Names((await api.GetAsync($"/meetings/{meeting}/active-livestream")).EnsureOk().Data));
        Assert.Equal(["source", "480p", "180p"], Names((await api.GetAsync($"/meetings/{meeting}/livestream")).EnsureOk().Data.GetProperty("livestreams")[0]));
        Assert.Equal(["source", "480p", "180p"], await LadderAsync(id));

        // A host on the meeting's channel chooses too, by the same rules.
        (await api.PostAsync($"/meetings/{meeting}/active-livestream/stop")).EnsureOk();
        var (host, _) = await MeetingHelpers.JoinAsync(server.HttpBase, await api.AddParticipantAsync(meeting, "host"));
        await using (host)
        {
            var refused = await host.RequestAsync("livestream_start", new { manual_ingest = true, renditions = new[] { "720p", "720p" } });
            Assert.Equal("BAD_REQUEST: \"renditions\": '720p' is listed twice.", refused.GetProperty("message").GetString());
            var byHost = (await host.OkAsync("livestream_start", new { manual_ingest = true, renditions = new[] { "720p" } })).GetProperty("livestream");
            Assert.Equal(["source", "720p"], await LadderAsync(byHost.GetProperty("id").GetString()!));
        }

        // The next one asks for none: the app's default.
        (await api.PostAsync($"/meetings/{meeting}/active-livestream/stop")).EnsureOk();
        (await PatchAppAsync(api, """{"default_renditions":["360p"]}""")).EnsureOk();
        var next = (await api.PostAsync($"/meetings/{meeting}/livestreams", """{"manual_ingest":true}""")).EnsureOk().Data;
        Assert.Equal(["source", "360p"], Names(next));
        Assert.Equal(["source", "360p"], await LadderAsync(next.GetProperty("id").GetString()!));
    }

    public static TheoryData<string, string> BadLadders() => new()
    {
        { """{"renditions":["720p","4k"]}""", UnknownName },
        { """{"renditions":["720p","source","720p"]}""", "BAD_REQUEST: \"renditions\": '720p' is listed twice." },
        { """{"renditions":"720p"}""", "BAD_REQUEST: \"renditions\" must be an array" },
        { """{"renditions":{"720p":true}}""", "BAD_REQUEST: \"renditions\" must be an array" },
        { """{"renditions":[720]}""", "BAD_REQUEST: \"renditions[0]\" must be a string" },
        { """{"renditions":["720p",null]}""", "BAD_REQUEST: \"renditions\" must be a list of names, without null" },
        { """{"renditions":["a","b","c","d","e","f","g","h"]}""", "BAD_REQUEST: \"renditions\" must have at most 7 items" },
    };

    [Theory]
    [MemberData(nameof(BadLadders))]
    public async Task ABadLadderIsA400ThatNamesTheProblemWhereverItIsGiven(string body, string message)
    {
        var api = await server.NewTenantAsync();
        string id = (await api.PostAsync("/livestreams", """{"renditions":["720p"]}""")).Data.GetProperty("id").GetString()!;
        string meeting = await api.CreateMeetingAsync();

        foreach (var reply in new[]
        {
            await api.PostAsync("/livestreams", body),
            await api.SendAsync(HttpMethod.Patch, $"/livestreams/{id}", body),
            await api.PostAsync($"/meetings/{meeting}/livestreams", body),
        })
        {
            Assert.Equal((HttpStatusCode.BadRequest, 400, message), (reply.Status, reply.ErrorCode, reply.ErrorMessage));
        }

        var app = await PatchAppAsync(api, body.Replace("\"renditions", "\"default_renditions", StringComparison.Ordinal));
        Assert.Equal((HttpStatusCode.BadRequest, message.Replace("\"renditions", "\"default_renditions", StringComparison.Ordinal)), (app.Status, app.ErrorMessage));

        // Nothing was made or changed.
        Assert.Equal(1, (await api.GetAsync("/livestreams")).EnsureOk().Body.GetProperty("paging").GetProperty("total_count").GetInt32());
        Assert.Equal(["source", "720p"], Names((await api.GetLivestreamAsync(id)).GetProperty("livestream")));
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/meetings/{meeting}/active-livestream")).Status);
    }

    [Fact]
    public async Task AnAppsSettingsChangeOnlyForItsOwnAccount()
    {
        var alice = await server.NewTenantAsync();
        var bob = await server.NewTenantAsync();

        var renamed = (await PatchAppAsync(alice, """{"name":"studio"}""")).EnsureOk().Data;
        Assert.Equal(("studio", JsonValueKind.Array), (renamed.GetProperty("name").GetString(), renamed.GetProperty("default_renditions").ValueKind));
        Assert.Equal(["source"], renamed.GetProperty("default_renditions").EnumerateArray().Select(n => n.GetString()));

        var foreign = await alice.SendAsync(HttpMethod.Patch, $"/client/v4/accounts/{alice.AccountId}/realtime/kit/apps/{bob.AppId}", """{"name":"taken"}""");
        Assert.Equal((HttpStatusCode.NotFound, $"No app found with id {bob.AppId} in account {alice.AccountId}"), (foreign.Status, foreign.ErrorMessage));
        var otherToken = await alice.SendAsync(HttpMethod.Patch, $"/client/v4/accounts/{alice.AccountId}/realtime/kit/apps/{alice.AppId}", """{"name":"x"}""", bearer: bob.Token);
        Assert.Equal(HttpStatusCode.NotFound, otherToken.Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await PatchAppAsync(alice, """{"name":""}""")).Status);
    }

    [Fact]
    public async Task WhatIsNoLivestreamGetsTheSourceAlone()
    {
        var api = await server.NewTenantAsync();
        string deleted = (await api.PostAsync("/livestreams", """{"renditions":["720p"]}""")).Data.GetProperty("id").GetString()!;
        (await api.SendAsync(HttpMethod.Delete, $"/livestreams/{deleted}")).EnsureOk();

        Assert.Equal(["source"], await LadderAsync(deleted));
        Assert.Equal(["source"], await LadderAsync(Guid.NewGuid().ToString()));
        Assert.Equal(["source"], await LadderAsync("not-an-id/720p"));
    }

    private static Task<ApiReply> PatchAppAsync(StagecastApiClient api, string body) =>
        api.SendAsync(HttpMethod.Patch, $"/client/v4/accounts/{api.AccountId}/realtime/kit/apps/{api.AppId}", body);

    private static IEnumerable<string?> Names(JsonElement livestream) => livestream.GetProperty("renditions").EnumerateArray().Select(n => n.GetString());

    private async Task<IEnumerable<string>> LadderAsync(string streamId) =>
        RenditionLadder.Names((await server.App.Services.GetRequiredService<IRenditionLadders>().LadderAsync(streamId, CancellationToken.None)).Renditions);
}
