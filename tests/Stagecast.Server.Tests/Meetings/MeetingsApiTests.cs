using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.Server.Hosting.Database;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Meetings;

/// <summary>Meetings and participants over REST, with their error cases and the participant tokens.</summary>
[Trait(ContractSuite.Trait, ContractSuite.Name)]
public sealed class MeetingsApiTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task CreateGivesDefaultsAndGetPatchPutChangeIt()
    {
        var api = await server.NewTenantAsync();
        var created = await api.PostAsync("/meetings", """{"title":"Weekly sync","persist_chat":true,"ai_config":{"transcription":{"language":"en-US"}}}""");
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var meeting = created.Data;
        string id = meeting.GetProperty("id").GetString()!;
        Assert.Equal("Weekly sync", meeting.GetProperty("title").GetString());
        Assert.Equal("ACTIVE", meeting.GetProperty("status").GetString());
        Assert.Equal(60, meeting.GetProperty("session_keep_alive_time_in_secs").GetInt32());
        Assert.True(meeting.GetProperty("persist_chat").GetBoolean());
        Assert.False(meeting.GetProperty("live_stream_on_start").GetBoolean());
        Assert.False(meeting.GetProperty("record_on_start").GetBoolean());
        Assert.Equal("en-US", meeting.GetProperty("ai_config").GetProperty("transcription").GetProperty("language").GetString());
        Assert.EndsWith($"/meetings/{id}", created.Headers.Location!.ToString());
        Assert.Equal(meeting.ToString(), (await api.GetAsync($"/meetings/{id}")).EnsureOk().Data.ToString());

        var patched = (await api.SendAsync(HttpMethod.Patch, $"/meetings/{id}", """{"session_keep_alive_time_in_secs":120,"live_stream_on_start":true}""")).EnsureOk().Data;
        Assert.Equal(120, patched.GetProperty("session_keep_alive_time_in_secs").GetInt32());
        Assert.True(patched.GetProperty("live_stream_on_start").GetBoolean());
        Assert.Equal("Weekly sync", patched.GetProperty("title").GetString()); // untouched

        var replaced = (await api.SendAsync(HttpMethod.Put, $"/meetings/{id}", """{"title":"Renamed"}""")).EnsureOk().Data;
        Assert.Equal("Renamed", replaced.GetProperty("title").GetString());
        Assert.Equal(60, replaced.GetProperty("session_keep_alive_time_in_secs").GetInt32()); // back to the default
        Assert.False(replaced.GetProperty("persist_chat").GetBoolean());
        Assert.Equal(meeting.GetProperty("created_at").GetString(), replaced.GetProperty("created_at").GetString());

        var empty = await api.PostAsync("/meetings"); // no body: every field is optional
        Assert.Equal(HttpStatusCode.Created, empty.Status);
        Assert.Equal(JsonValueKind.Null, empty.Data.GetProperty("title").ValueKind);
    }

    [Fact]
    public async Task ListSearchesOnIdAndTitleAndFiltersByStatusAndTime()
    {
        var api = await server.NewTenantAsync();
        string standup = await api.CreateMeetingAsync("""{"title":"Daily standup"}""");
        string retro = await api.CreateMeetingAsync("""{"title":"Retro"}""");
        string closed = await api.CreateMeetingAsync("""{"title":"Old standup","status":"INACTIVE"}""");

        Assert.Equal([closed, retro, standup], await Ids(api, ""));
        Assert.Equal([closed, standup], await Ids(api, "?search=standup"));
        Assert.Equal([retro], await Ids(api, $"?search={retro[..8]}"));
        Assert.Equal([retro, standup], await Ids(api, "?status=ACTIVE"));
        Assert.Equal([closed], await Ids(api, "?status=INACTIVE"));
        Assert.Equal([standup], await Ids(api, "?sort_order=ASC&per_page=1"));
        Assert.Empty(await Ids(api, $"?end_time={DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds()}"));
        var paged = (await api.GetAsync("/meetings?per_page=2&page_no=2")).EnsureOk();
        Assert.Equal((3L, 3L, 3L), (paged.Body.GetProperty("paging").GetProperty("total_count").GetInt64(),
            paged.Body.GetProperty("paging").GetProperty("start_offset").GetInt64(), paged.Body.GetProperty("paging").GetProperty("end_offset").GetInt64()));
    }

    [Theory]
    [InlineData("""{"session_keep_alive_time_in_secs":30}""", "\"session_keep_alive_time_in_secs\" must be from 60 to 600")]
    [InlineData("""{"session_keep_alive_time_in_secs":"60"}""", "\"session_keep_alive_time_in_secs\" must be an integer")]
    [InlineData("""{"status":"PAUSED"}""", "\"status\" must be one of ACTIVE, INACTIVE")]
    [InlineData("""{"record_on_start":"yes"}""", "\"record_on_start\" must be true or false")]
    [InlineData("""{"recording_config":[1]}""", "\"recording_config\" must be an object")]
    [InlineData("""{"title":5}""", "\"title\" must be a string")]
    public async Task InvalidMeetingsAre400s(string body, string message)
    {
        var api = await server.NewTenantAsync();
        var reply = await api.PostAsync("/meetings", body);
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal("BAD_REQUEST: " + message, reply.ErrorMessage);
    }

    [Fact]
    public async Task UnknownMeetingsAndParticipantsAre404s()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        foreach (var (method, path, message) in new[]
        {
            (HttpMethod.Get, "/meetings/nope", "No meeting found with id nope"),
            (HttpMethod.Patch, "/meetings/nope", "No meeting found with id nope"),
            (HttpMethod.Get, "/meetings/nope/participants", "No meeting found with id nope"),
            (HttpMethod.Get, $"/meetings/{meeting}/participants/nope", $"No participant found with id nope in meeting {meeting}"),
            (HttpMethod.Delete, $"/meetings/{meeting}/participants/nope", $"No participant found with id nope in meeting {meeting}"),
            (HttpMethod.Post, $"/meetings/{meeting}/participants/nope/token", $"No participant found with id nope in meeting {meeting}"),
            (HttpMethod.Get, $"/meetings/{meeting}/active-session", $"No active session found for meeting_id {meeting}"),
            (HttpMethod.Get, "/sessions/nope", "No session found with id nope"),
            (HttpMethod.Get, "/presets/nope", "No preset found with id nope"),
        })
        {
            var reply = await api.SendAsync(method, path, method == HttpMethod.Get || method == HttpMethod.Delete ? null : "{}");
            Assert.Equal(HttpStatusCode.NotFound, reply.Status);
            Assert.Equal(message, reply.ErrorMessage);
        }

        // Another app's meeting is not found either.
        var other = await server.NewTenantAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/meetings/{meeting}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsync($"/meetings/{meeting}/participants", """{"custom_participant_id":"x","preset_name":"group_call_host"}""")).Status);
    }

    [Fact]
    public async Task ParticipantsAreAddedListedChangedAndDeleted()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var added = await api.PostAsync($"/meetings/{meeting}/participants",
            """{"custom_participant_id":"user-1","preset_name":"group_call_host","name":"Ada","picture":"https://example.com/ada.png"}""");
        Assert.Equal(HttpStatusCode.Created, added.Status);
        var participant = added.Data;
        string id = participant.GetProperty("id").GetString()!;
        Assert.Equal("user-1", participant.GetProperty("custom_participant_id").GetString());
        Assert.Equal("group_call_host", participant.GetProperty("preset_name").GetString());
        Assert.Equal("Ada", participant.GetProperty("name").GetString());
        Assert.Equal("https://example.com/ada.png", participant.GetProperty("picture").GetString());
        Assert.False(string.IsNullOrEmpty(participant.GetProperty("token").GetString()));

        await api.AddParticipantAsync(meeting, "user-2", "webinar_viewer");
        var list = (await api.GetAsync($"/meetings/{meeting}/participants")).EnsureOk();
        Assert.Equal(["user-1", "user-2"], list.Data.EnumerateArray().Select(p => p.GetProperty("custom_participant_id").GetString()));
        Assert.All(list.Data.EnumerateArray(), p => Assert.False(p.TryGetProperty("token", out _))); // listings carry no tokens
        Assert.False((await api.GetAsync($"/meetings/{meeting}/participants/{id}")).EnsureOk().Data.TryGetProperty("token", out _));

        var patched = (await api.SendAsync(HttpMethod.Patch, $"/meetings/{meeting}/participants/{id}", """{"name":"Ada L.","preset_name":"webinar_viewer"}""")).EnsureOk().Data;
        Assert.Equal("Ada L.", patched.GetProperty("name").GetString());
        Assert.Equal("webinar_viewer", patched.GetProperty("preset_name").GetString());
        Assert.True(patched.TryGetProperty("token", out _));

        // Adding the same custom id again updates that participant instead of making a second one.
        var again = (await api.PostAsync($"/meetings/{meeting}/participants", """{"custom_participant_id":"user-1","preset_name":"group_call_host"}""")).EnsureOk().Data;
        Assert.Equal(id, again.GetProperty("id").GetString());
        Assert.Equal("group_call_host", again.GetProperty("preset_name").GetString());
        Assert.Equal(2, (await api.GetAsync($"/meetings/{meeting}/participants")).Body.GetProperty("paging").GetProperty("total_count").GetInt64());

        var deleted = (await api.SendAsync(HttpMethod.Delete, $"/meetings/{meeting}/participants/{id}")).EnsureOk().Data;
        Assert.Equal("user-1", deleted.GetProperty("custom_participant_id").GetString());
        Assert.True(deleted.TryGetProperty("preset_id", out _));
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/meetings/{meeting}/participants/{id}")).Status);
    }

    [Theory]
    [InlineData("""{"preset_name":"group_call_host"}""", "\"custom_participant_id\" is required")]
    [InlineData("""{"custom_participant_id":"u"}""", "\"preset_name\" is required")]
    [InlineData("""{"custom_participant_id":"u","preset_name":"no_such_preset"}""", "\"preset_name\": no preset named no_such_preset in this app")]
    [InlineData("""{"custom_participant_id":"","preset_name":"group_call_host"}""", "\"custom_participant_id\" is required")]
    [InlineData("", "a JSON object body is required")]
    public async Task InvalidParticipantsAre400s(string body, string message)
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var reply = await api.PostAsync($"/meetings/{meeting}/participants", body);
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal("BAD_REQUEST: " + message, reply.ErrorMessage);
    }

    [Fact]
    public async Task ParticipantTokensAreEs256JwtsSignedWithTheStoredKey()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var participant = await api.AddParticipantAsync(meeting, "jwt-user");
        string[] parts = participant.Token.Split('.');
        Assert.Equal(3, parts.Length);
        using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
        Assert.Equal("ES256", header.RootElement.GetProperty("alg").GetString());
        using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
        var claims = payload.RootElement;
        Assert.Equal(participant.Id, claims.GetProperty("participantId").GetString());
        Assert.Equal(meeting, claims.GetProperty("meetingId").GetString());
        Assert.Equal(api.AppId, claims.GetProperty("appId").GetString());
        Assert.Equal(api.AccountId, claims.GetProperty("orgId").GetString());
        var expires = DateTimeOffset.FromUnixTimeSeconds(claims.GetProperty("exp").GetInt64());
        Assert.InRange(expires - DateTimeOffset.UtcNow, TimeSpan.FromHours(23.9), TimeSpan.FromHours(24.1));

        // The key is a file of the data directory, readable by the owner only; with PostgreSQL it is shared through the database.
        string file = Path.Combine(server.DataDir, "participant-tokens.key");
        byte[] stored = ServerFixture.OnPostgres
            ? await server.App.Services.GetRequiredService<SqlDatabase>().WithConnectionAsync(
                c => c.QuerySingleAsync<byte[]>("SELECT value FROM shared_secrets WHERE name = 'participant-tokens.key'"), CancellationToken.None)
            : await File.ReadAllBytesAsync(file);
        using var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(stored, out _);
        Assert.True(key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256));
        if (!OperatingSystem.IsWindows() && !ServerFixture.OnPostgres)
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
    }

    [Fact]
    public async Task ATokenOpensOnlyItsOwnMeetingAndRefreshOrDeleteRevokesIt()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        string other = await api.CreateMeetingAsync();
        var participant = await api.AddParticipantAsync(meeting, "rev-user");
        Assert.Equal(HttpStatusCode.BadRequest, await ChannelStatusAsync(participant.Token)); // accepted: only the WebSocket upgrade is missing

        // A token edited to name another meeting fails its signature.
        string[] parts = participant.Token.Split('.');
        string forgedPayload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])).Replace(meeting, other, StringComparison.Ordinal);
        string forged = $"{parts[0]}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(forgedPayload))}.{parts[2]}";
        Assert.Equal(HttpStatusCode.Unauthorized, await ChannelStatusAsync(forged));
        string algNone = $"{Base64Url.EncodeToString("""{"alg":"none"}"""u8)}.{parts[1]}.";
        Assert.Equal(HttpStatusCode.Unauthorized, await ChannelStatusAsync(algNone));

        // PATCH issues a token without revoking the others; refresh revokes every earlier one.
        string patchedToken = (await api.SendAsync(HttpMethod.Patch, $"/meetings/{meeting}/participants/{participant.Id}", "{}")).EnsureOk().Data.GetProperty("token").GetString()!;
        Assert.Equal(HttpStatusCode.BadRequest, await ChannelStatusAsync(patchedToken));
        Assert.Equal(HttpStatusCode.BadRequest, await ChannelStatusAsync(participant.Token));
        string refreshed = (await api.PostAsync($"/meetings/{meeting}/participants/{participant.Id}/token")).EnsureOk().Data.GetProperty("token").GetString()!;
        Assert.Equal(HttpStatusCode.Unauthorized, await ChannelStatusAsync(participant.Token));
        Assert.Equal(HttpStatusCode.Unauthorized, await ChannelStatusAsync(patchedToken));
        Assert.Equal(HttpStatusCode.BadRequest, await ChannelStatusAsync(refreshed));

        await api.SendAsync(HttpMethod.Delete, $"/meetings/{meeting}/participants/{participant.Id}");
        Assert.Equal(HttpStatusCode.Unauthorized, await ChannelStatusAsync(refreshed));
    }

    [Fact]
    public async Task ApiTokensAndParticipantTokensAreNotInterchangeable()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var participant = await api.AddParticipantAsync(meeting, "mixed");
        Assert.Equal(HttpStatusCode.Unauthorized, await ChannelStatusAsync(api.Token));
        Assert.Equal(HttpStatusCode.Unauthorized, await ChannelStatusAsync(null));
        var asApi = await api.SendAsync(HttpMethod.Get, "/meetings", bearer: participant.Token);
        Assert.Equal(HttpStatusCode.Unauthorized, asApi.Status);
        Assert.Equal("invalid or revoked API token", asApi.ErrorMessage);
    }

    /// <summary>A plain GET on the channel: 400 (no upgrade) once the token is accepted, 401 when it is not.</summary>
    private async Task<HttpStatusCode> ChannelStatusAsync(string? token)
    {
        using var response = await server.Http.GetAsync(token is null ? "/realtime/v1" : $"/realtime/v1?token={Uri.EscapeDataString(token)}");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.False(body.RootElement.GetProperty("success").GetBoolean());
        return response.StatusCode;
    }

    private static async Task<string[]> Ids(StagecastApiClient api, string query) =>
        (await api.GetAsync("/meetings" + query)).EnsureOk().Data.EnumerateArray().Select(m => m.GetProperty("id").GetString()!).ToArray();
}
