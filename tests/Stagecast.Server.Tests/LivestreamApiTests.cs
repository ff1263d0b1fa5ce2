using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Stagecast.Testing;

namespace Stagecast.Server.Tests;

/// <summary>Every livestream endpoint and its error cases, against a real SQLite file.</summary>
[Trait(ContractSuite.Trait, ContractSuite.Name)]
public sealed partial class LivestreamApiTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task CreateReturnsAnIdleLivestreamWithKeyAndUrls()
    {
        var api = await server.NewTenantAsync();
        var reply = await api.PostAsync("/livestreams", """{"name":"launch-day_1"}""");

        Assert.Equal(HttpStatusCode.Created, reply.Status);
        Assert.True(reply.Body.GetProperty("success").GetBoolean());
        var data = reply.Data;
        string id = data.GetProperty("id").GetString()!;
        Assert.True(Guid.TryParse(id, out _));
        Assert.Equal("launch-day_1", data.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, data.GetProperty("meeting_id").ValueKind);
        Assert.Equal("IDLE", data.GetProperty("status").GetString());
        Assert.False(data.GetProperty("disabled").GetBoolean());
        Assert.False(data.GetProperty("manual_ingest").GetBoolean());

        string key = data.GetProperty("stream_key").GetString()!;
        Assert.Matches("^[A-Za-z0-9]{32}$", key); // 32 base62 characters: about 190 random bits
        Assert.Matches(@"^rtmp://127\.0\.0\.1:\d+/live$", data.GetProperty("ingest_server").GetString()!);
        string playback = data.GetProperty("playback_url").GetString()!;
        Assert.Equal($"{server.HttpBase}/{id}/manifest/video.m3u8", playback);
        Assert.DoesNotContain(key, playback);
        Assert.Equal($"{server.HttpBase}/{id}/thumbnail.jpg", data.GetProperty("thumbnail_url").GetString());

        Assert.Matches(IsoTime(), data.GetProperty("created_at").GetString()!);
        Assert.Equal(data.GetProperty("created_at").GetString(), data.GetProperty("updated_at").GetString());
        Assert.EndsWith($"/livestreams/{id}", reply.Headers.Location!.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData("""{"name":null}""")]
    [InlineData("""{"other":1}""")]
    public async Task NameIsOptional(string? body)
    {
        var api = await server.NewTenantAsync();
        var reply = await api.PostAsync("/livestreams", body);
        Assert.Equal(HttpStatusCode.Created, reply.Status);
        Assert.Equal(JsonValueKind.Null, reply.Data.GetProperty("name").ValueKind);
    }

    [Theory]
    [InlineData("""{"name":"has space"}""", "BAD_REQUEST: \"name\" must match ^[a-zA-Z0-9-_]*$")]
    [InlineData("""{"name":"émoji"}""", "BAD_REQUEST: \"name\" must match ^[a-zA-Z0-9-_]*$")]
    [InlineData("""{"name":5}""", "BAD_REQUEST: \"name\" must be a string")]
    [InlineData("""{"name":["a"]}""", "BAD_REQUEST: \"name\" must be a string")]
    [InlineData("""[1,2]""", "BAD_REQUEST: request body must be a JSON object")]
    [InlineData("""{"name":""", "BAD_REQUEST: request body is not valid JSON")]
    public async Task InvalidBodiesAre400sThatNameTheProblem(string body, string message)
    {
        var api = await server.NewTenantAsync();
        var reply = await api.PostAsync("/livestreams", body);
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.False(reply.Body.GetProperty("success").GetBoolean());
        Assert.Equal(400, reply.ErrorCode);
        Assert.Equal(message, reply.ErrorMessage);
    }

    [Fact]
    public async Task NameLongerThan256IsRefusedAnd256IsAccepted()
    {
        var api = await server.NewTenantAsync();
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsync("/livestreams", $$"""{"name":"{{new string('a', 256)}}"}""")).Status);
        var reply = await api.PostAsync("/livestreams", $$"""{"name":"{{new string('a', 257)}}"}""");
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Contains("\"name\" must be at most 256 characters", reply.ErrorMessage);
    }

    [Fact]
    public async Task OversizedBodyIs413()
    {
        var api = await server.NewTenantAsync();
        var reply = await api.PostAsync("/livestreams", $$"""{"name":"{{new string('a', 100_000)}}"}""");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, reply.Status);
        Assert.Equal(413, reply.ErrorCode);
    }

    [Fact]
    public async Task BothBasePathsServeTheSameData()
    {
        var api = await server.NewTenantAsync();
        var created = await api.CreateLivestreamAsync("both");
        var viaDocs = await api.GetAsync($"/accounts/{api.AccountId}/realtime/kit/{api.AppId}/livestreams/{created.Id}");
        Assert.Equal(HttpStatusCode.OK, viaDocs.Status);
        Assert.Equal(created.StreamKey, viaDocs.Data.GetProperty("livestream").GetProperty("stream_key").GetString());
    }

    [Fact]
    public async Task ListPagesWithInclusiveOffsets()
    {
        var api = await server.NewTenantAsync();
        for (int i = 0; i < 5; i++)
        {
            await api.CreateLivestreamAsync($"s{i}");
        }

        await AssertPage(api, "?per_page=2&page_no=1", ["s4", "s3"], 5, 1, 2);
        await AssertPage(api, "?per_page=2&page_no=3", ["s0"], 5, 5, 5);
        await AssertPage(api, "?per_page=2&page_no=4", [], 5, 0, 0);
        await AssertPage(api, "?sort_order=ASC&per_page=3", ["s0", "s1", "s2"], 5, 1, 3);
        await AssertPage(api, "?sort_order=DESC&per_page=1", ["s4"], 5, 1, 1);
        await AssertPage(api, "?sort_order=DSC&per_page=1&exclude_meetings=true", ["s4"], 5, 1, 1);
        await AssertPage(api, "?status=LIVE", [], 0, 0, 0);
        await AssertPage(api, "?status=IDLE&per_page=1", ["s4"], 5, 1, 1);
        await AssertPage(api, "?status=OFFLINE&per_page=1", ["s4"], 5, 1, 1);
    }

    [Fact]
    public async Task ListFiltersByCreationTime()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero));
        await using var own = (await ServerFixture.StartAsync(clock)).AsAsyncDisposable(out var fixture);
        var api = await fixture.NewTenantAsync();
        await api.CreateLivestreamAsync("old");
        clock.Advance(TimeSpan.FromSeconds(1.5));
        var cut = clock.GetUtcNow();
        await api.CreateLivestreamAsync("new");

        string iso = Uri.EscapeDataString(cut.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"));
        await AssertPage(api, $"?start_time={iso}", ["new"], 1, 1, 1);
        await AssertPage(api, $"?end_time={iso}", ["old"], 1, 1, 1);
        await AssertPage(api, $"?start_time={cut.ToUnixTimeSeconds()}", ["new"], 1, 1, 1); // Unix seconds
    }

    [Theory]
    [InlineData("?page_no=0", "\"page_no\" must be an integer")]
    [InlineData("?page_no=x", "\"page_no\" must be an integer")]
    [InlineData("?per_page=101", "\"per_page\" must be an integer from 1 to 100")]
    [InlineData("?status=RUNNING", "\"status\" must be one of IDLE, INVOKED, LIVE, ERRORED, OFFLINE")]
    [InlineData("?sort_order=UP", "\"sort_order\" must be ASC or DSC")]
    [InlineData("?exclude_meetings=maybe", "\"exclude_meetings\" must be true or false")]
    [InlineData("?start_time=yesterday", "\"start_time\" must be an ISO-8601 time or Unix seconds")]
    [InlineData("?start_time=2026-01-02T00:00:00Z&end_time=2026-01-01T00:00:00Z", "\"start_time\" must not be after \"end_time\"")]
    public async Task InvalidQueryParametersAre400s(string query, string message)
    {
        var api = await server.NewTenantAsync();
        var reply = await api.GetAsync("/livestreams" + query);
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Contains(message, reply.ErrorMessage);
    }

    [Fact]
    public async Task DetailsOfANewLivestreamHaveNoSessions()
    {
        var api = await server.NewTenantAsync();
        var created = await api.CreateLivestreamAsync();
        var data = await api.GetLivestreamAsync(created.Id);
        Assert.Equal(created.Id, data.GetProperty("livestream").GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Null, data.GetProperty("session").ValueKind);
        Assert.Empty(data.GetProperty("sessions").EnumerateArray());
        AssertPaging(data.GetProperty("paging"), 0, 0, 0);
    }

    [Fact]
    public async Task UnknownIdsAre404s()
    {
        var api = await server.NewTenantAsync();
        var created = await api.CreateLivestreamAsync();
        foreach (var (method, path, message) in new[]
        {
            (HttpMethod.Get, "/livestreams/no-such-id", "No livestream found with id no-such-id"),
            (HttpMethod.Post, "/livestreams/no-such-id/reset-stream-key", "No livestream found with id no-such-id"),
            (HttpMethod.Put, "/livestreams/no-such-id/enable", "No livestream found with id no-such-id"),
            (HttpMethod.Put, "/livestreams/no-such-id/disable", "No livestream found with id no-such-id"),
            (HttpMethod.Delete, "/livestreams/no-such-id", "No livestream found with id no-such-id"),
            (HttpMethod.Get, "/livestreams/sessions/no-such-session", "No livestream session found with id no-such-session"),
            (HttpMethod.Get, $"/livestreams/{created.Id}/active-livestream-session", $"No active livestream session found for livestream {created.Id}"),
            (HttpMethod.Get, "/no/such/endpoint", "no such endpoint"),
        })
        {
            var reply = await api.SendAsync(method, path);
            Assert.Equal(HttpStatusCode.NotFound, reply.Status);
            Assert.Equal(404, reply.ErrorCode);
            Assert.Contains(message, reply.ErrorMessage);
        }
    }

    [Fact]
    public async Task ResetStreamKeyIssuesANewKey()
    {
        var api = await server.NewTenantAsync();
        var created = await api.CreateLivestreamAsync();
        var reply = await api.PostAsync($"/livestreams/{created.Id}/reset-stream-key");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        string newKey = reply.Data.GetProperty("stream_key").GetString()!;
        Assert.NotEqual(created.StreamKey, newKey);
        Assert.Equal(newKey, (await api.GetLivestreamAsync(created.Id)).GetProperty("livestream").GetProperty("stream_key").GetString());
    }

    [Fact]
    public async Task DisableAndEnable()
    {
        var api = await server.NewTenantAsync();
        var created = await api.CreateLivestreamAsync();
        var disabled = await api.SendAsync(HttpMethod.Put, $"/livestreams/{created.Id}/disable");
        Assert.True(disabled.EnsureOk().Data.GetProperty("disabled").GetBoolean());
        Assert.True((await api.GetLivestreamAsync(created.Id)).GetProperty("livestream").GetProperty("disabled").GetBoolean());
        var enabled = await api.SendAsync(HttpMethod.Put, $"/livestreams/{created.Id}/enable");
        Assert.False(enabled.EnsureOk().Data.GetProperty("disabled").GetBoolean());
    }

    [Fact]
    public async Task DeleteRemovesTheLivestream()
    {
        var api = await server.NewTenantAsync();
        var created = await api.CreateLivestreamAsync("doomed");
        var reply = await api.SendAsync(HttpMethod.Delete, $"/livestreams/{created.Id}");
        Assert.Equal("Deleted livestream successfully", reply.EnsureOk().Data.GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/livestreams/{created.Id}")).Status);
        Assert.Equal(0, (await api.GetAsync("/livestreams")).Body.GetProperty("paging").GetProperty("total_count").GetInt64());
        Assert.Equal(HttpStatusCode.NotFound, (await api.SendAsync(HttpMethod.Delete, $"/livestreams/{created.Id}")).Status);
    }

    [Fact]
    public async Task MissingOrInvalidTokensAre401()
    {
        var api = await server.NewTenantAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{api.Base}/livestreams");
        using var anonymous = await server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.Single().Scheme);
        var body = JsonDocument.Parse(await anonymous.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(401, body.GetProperty("error").GetProperty("code").GetInt32());

        var wrong = await api.SendAsync(HttpMethod.Get, "/livestreams", bearer: "sct_not_a_real_token");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.Status);
        Assert.Equal("invalid or revoked API token", wrong.ErrorMessage);
    }

    [Fact]
    public async Task TwoAccountsCannotSeeEachOther()
    {
        var alice = await server.NewTenantAsync();
        var bob = await server.NewTenantAsync();
        var secret = await alice.CreateLivestreamAsync("alice-only");

        // Bob's token on Alice's paths, and Alice's app under Bob's account: 404, existence not revealed.
        var bobOnAlice = new StagecastApiClient(server.Http, alice.AccountId, alice.AppId, bob.Token);
        Assert.Equal(HttpStatusCode.NotFound, (await bobOnAlice.GetAsync($"/livestreams/{secret.Id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await bobOnAlice.GetAsync("/livestreams")).Status);
        var crossed = new StagecastApiClient(server.Http, bob.AccountId, alice.AppId, bob.Token);
        Assert.Equal(HttpStatusCode.NotFound, (await crossed.GetAsync("/livestreams")).Status);

        // In his own app Bob finds nothing of Alice's, not even by id.
        Assert.Equal(0, (await bob.GetAsync("/livestreams")).Body.GetProperty("paging").GetProperty("total_count").GetInt64());
        Assert.Equal(HttpStatusCode.NotFound, (await bob.GetAsync($"/livestreams/{secret.Id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.SendAsync(HttpMethod.Delete, $"/livestreams/{secret.Id}")).Status);
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync($"/livestreams/{secret.Id}")).Status);
    }

    [Fact]
    public async Task AnalyticsOfAFreshAppAreZeroAndDaysAreFilled()
    {
        var api = await server.NewTenantAsync();
        var overall = (await api.GetAsync("/analytics/livestreams/overall")).EnsureOk().Data;
        Assert.Equal((0, 0, 0), (overall.GetProperty("count").GetInt64(), overall.GetProperty("total_ingest_seconds").GetInt64(), overall.GetProperty("total_viewer_seconds").GetInt64()));

        var days = (await api.GetAsync("/analytics/livestreams/daywise?start_time=2026-03-01T00:00:00Z&end_time=2026-03-04T00:00:00Z")).EnsureOk().Data;
        Assert.Equal(["2026-03-01", "2026-03-02", "2026-03-03"], days.EnumerateArray().Select(d => d.GetProperty("date").GetString()));
        Assert.All(days.EnumerateArray(), d => Assert.Equal(0, d.GetProperty("count").GetInt64()));

        var bad = await api.GetAsync("/analytics/livestreams/daywise?end_time=soon");
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.Contains("\"end_time\"", bad.ErrorMessage);
    }

    [Fact]
    public async Task OpenApiDocumentDescribesTheApi()
    {
        using var document = JsonDocument.Parse(await server.Http.GetStringAsync("/openapi/v1.json"));
        var paths = document.RootElement.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/client/v4/accounts/{account_id}/realtime/kit/{app_id}/livestreams", out var livestreams));
        Assert.True(livestreams.TryGetProperty("post", out _));
        Assert.True(paths.TryGetProperty("/client/v4/accounts/{account_id}/realtime/kit/{app_id}/analytics/livestreams/overall", out _));
    }

    private static async Task AssertPage(StagecastApiClient api, string query, string[] names, long total, long start, long end)
    {
        var reply = (await api.GetAsync("/livestreams" + query)).EnsureOk();
        Assert.Equal(names, reply.Data.EnumerateArray().Select(l => l.GetProperty("name").GetString()));
        AssertPaging(reply.Body.GetProperty("paging"), total, start, end);
    }

    private static void AssertPaging(JsonElement paging, long total, long start, long end) =>
        Assert.Equal((total, start, end), (paging.GetProperty("total_count").GetInt64(), paging.GetProperty("start_offset").GetInt64(), paging.GetProperty("end_offset").GetInt64()));

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")]
    private static partial Regex IsoTime();
}
