using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Stagecast.Server.Features.Transcription;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>
/// What RealtimeKit's client finds at <c>https://api.{base}</c> and the telemetry hosts, told apart from the rest by
/// the Host header (with the port a <c>baseURI</c> may carry): participant-details with everything the client needs,
/// CORS for the app's page, the meeting's livestream within the preset's permissions, and telemetry taken quietly.
/// </summary>
public sealed class ParticipantApiTests : IAsyncLifetime
{
    private const string Base = "stagecast.test";
    private readonly TlsFiles _tls = new();
    private readonly CapturedLogs _logs = new();
    private ServerFixture _server = null!;
    private HttpClient _https = null!;
    private StagecastApiClient _api = null!;
    private string _port = null!;

    public async Task InitializeAsync()
    {
        _server = await ServerFixture.StartAsync([.. _tls.ServerFlags, "--realtimekit-base", Base], builder => builder.Logging.AddProvider(_logs));
        _port = new Uri(_server.HttpBase).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _https = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } })
        {
            BaseAddress = new Uri(_server.HttpBase),
        };
        _api = (await _server.NewTenantAsync()).WithClient(_https);
    }

    public async Task DisposeAsync()
    {
        _https.Dispose();
        await _server.DisposeAsync();
        _tls.Dispose();
    }

    [Fact]
    public async Task ParticipantDetailsGiveTheClientItsPresetInFullAndTheSocketOnTheHostItCalled()
    {
        string meeting = await _api.CreateMeetingAsync("""{"title":"standup"}""");
        var ada = await _api.AddParticipantAsync(meeting, "ada", "group_call_host", name: "Ada");

        var (status, body) = await CallAsync(HttpMethod.Get, "/v2/internals/participant-details", ada.Token);
        Assert.Equal(HttpStatusCode.OK, status);
        var data = body.GetProperty("data");
        Assert.Equal(ada.Id, data.GetProperty("participant").GetProperty("id").GetString());
        Assert.Equal("Ada", data.GetProperty("participant").GetProperty("name").GetString());
        Assert.Equal("standup", data.GetProperty("meeting").GetProperty("title").GetString());
        Assert.Equal($"{Base}:{_port}", data.GetProperty("socket").GetProperty("base_uri").GetString());

        // What the client fails to initialise without (the study's section 4), and the permissions as the preset has them.
        var preset = data.GetProperty("preset");
        Assert.Equal("group_call_host", preset.GetProperty("name").GetString());
        Assert.Equal("GROUP_CALL", preset.GetProperty("config").GetProperty("view_type").GetString());
        Assert.True(preset.GetProperty("config").GetProperty("max_video_streams").GetProperty("mobile").GetInt32() > 0);
        var permissions = preset.GetProperty("permissions");
        Assert.Equal(JsonValueKind.Object, permissions.GetProperty("plugins").GetProperty("config").ValueKind);
        Assert.Equal("ALLOWED", permissions.GetProperty("media").GetProperty("screenshare").GetProperty("can_produce").GetString());
        Assert.True(permissions.GetProperty("can_livestream").GetBoolean());
        Assert.Equal(JsonValueKind.Object, preset.GetProperty("ui").GetProperty("design_tokens").ValueKind);

        // Breakout rooms: a host may make and close them and move anyone, as the SDK reads connected_meetings; a participant not.
        string[] connected = ["can_alter_connected_meetings", "can_switch_connected_meetings", "can_switch_to_parent_meeting"];
        Assert.All(connected, flag => Assert.True(permissions.GetProperty("connected_meetings").GetProperty(flag).GetBoolean(), flag));
        var bob = await _api.AddParticipantAsync(meeting, "bob", "group_call_participant");
        var bobPermissions = (await CallAsync(HttpMethod.Get, "/v2/internals/participant-details", bob.Token)).Body.GetProperty("data").GetProperty("preset").GetProperty("permissions");
        Assert.All(connected, flag => Assert.False(bobPermissions.GetProperty("connected_meetings").GetProperty(flag).GetBoolean(), flag));

        // Only on api.{base}; and never without a participant token (an API token is not one).
        Assert.Equal(HttpStatusCode.NotFound, (await CallAsync(HttpMethod.Get, "/v2/internals/participant-details", ada.Token, host: "127.0.0.1")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await CallAsync(HttpMethod.Get, "/v2/internals/participant-details", _api.Token)).Status);
        Assert.Equal("{\"success\":true,\"data\":{\"plugins\":[]}}", (await CallAsync(HttpMethod.Get, "/v2/plugins/user", ada.Token)).Body.GetRawText());
    }

    [Fact]
    public async Task ThePreflightOfTheClientsHeadersIsAllowedForAnyOrigin()
    {
        foreach (string path in new[] { "/v2/internals/participant-details", "/iceservers" })
        {
            using var preflight = new HttpRequestMessage(HttpMethod.Options, $"{_server.HttpBase}{path}");
            preflight.Headers.Host = $"api.{Base}:{_port}";
            preflight.Headers.Add("Origin", "https://app.example.com");
            preflight.Headers.Add("Access-Control-Request-Method", "GET");
            preflight.Headers.Add("Access-Control-Request-Headers", "authorization,traceparent,tracing-id,x-realtimekit-version");
            using var response = await _https.SendAsync(preflight);

            Assert.True(response.IsSuccessStatusCode, $"{path}: {response.StatusCode}");
            Assert.Equal("*", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
            string allowed = string.Join(",", response.Headers.GetValues("Access-Control-Allow-Headers")).ToLowerInvariant();
            Assert.All(new[] { "authorization", "traceparent", "tracing-id", "x-realtimekit-version" }, h => Assert.Contains(h, allowed));
        }
    }

    [Fact]
    public async Task TheMeetingsLivestreamStartsAndStopsForAHostAndIsRefusedToAViewer()
    {
        string meeting = await _api.CreateMeetingAsync();
        var host = await _api.AddParticipantAsync(meeting, "host", "livestream_host");
        var viewer = await _api.AddParticipantAsync(meeting, "viewer", "livestream_viewer");
        string path = $"/v2/meetings/{meeting}";

        Assert.Equal(HttpStatusCode.NotFound, (await CallAsync(HttpMethod.Get, $"{path}/active-livestream", viewer.Token)).Status);
        var refused = await CallAsync(HttpMethod.Post, $"{path}/livestreams", viewer.Token, """{"manual_ingest":false}""");
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Contains("can_livestream", refused.Body.GetProperty("error").GetProperty("message").GetString());

        // Manual ingest: the host gets the ingest credentials, a viewer only what it plays.
        var started = await CallAsync(HttpMethod.Post, $"{path}/livestreams", host.Token, """{"manual_ingest":true}""");
        Assert.Equal(HttpStatusCode.OK, started.Status);
        Assert.Equal("INVOKED", started.Body.GetProperty("data").GetProperty("status").GetString());
        Assert.StartsWith("rtmp", started.Body.GetProperty("data").GetProperty("ingest_server").GetString());
        var seen = (await CallAsync(HttpMethod.Get, $"{path}/active-livestream", viewer.Token)).Body.GetProperty("data");
        Assert.Equal(started.Body.GetProperty("data").GetProperty("playback_url").GetString(), seen.GetProperty("playback_url").GetString());
        Assert.Equal(JsonValueKind.Null, seen.GetProperty("stream_key").ValueKind);

        // Another meeting's livestream is not this participant's business.
        string other = await _api.CreateMeetingAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await CallAsync(HttpMethod.Post, $"/v2/meetings/{other}/livestreams", host.Token, "{}")).Status);

        Assert.Equal(HttpStatusCode.Forbidden, (await CallAsync(HttpMethod.Post, $"{path}/active-livestream/stop", viewer.Token)).Status);
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(HttpMethod.Post, $"{path}/active-livestream/stop", host.Token)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await CallAsync(HttpMethod.Get, $"{path}/active-livestream", viewer.Token)).Status);
    }

    [Fact]
    public async Task RecordingsNeedCanRecordAndTheParticipantsOwnMeeting()
    {
        string meeting = await _api.CreateMeetingAsync();
        var viewer = await _api.AddParticipantAsync(meeting, "viewer", "livestream_viewer");
        var refused = await CallAsync(HttpMethod.Post, "/v2/recordings", viewer.Token, $$"""{"meeting_id":"{{meeting}}","allow_multiple_recordings":false,"file_name_prefix":"x"}""");
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Contains("can_record", refused.Body.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await CallAsync(HttpMethod.Put, "/v2/recordings/nope", viewer.Token, """{"action":"stop"}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await CallAsync(HttpMethod.Post, "/v2/recordings", viewer.Token, "{}")).Status);
    }

    [Fact]
    public async Task TelemetryIsTakenAndDroppedWithoutLoggingItsToken()
    {
        string secret = "eyJhbGciOiJFUzI1NiJ9.telemetry-secret";
        foreach (string host in new[] { "location", "location-legacy", "da-collector", "api-silos" })
        {
            using var post = new HttpRequestMessage(HttpMethod.Post, $"{_server.HttpBase}/otel/logs?token={secret}&peerId=p1")
            {
                Content = new StringContent("{\"logs\":[]}", Encoding.UTF8, "application/json"),
            };
            post.Headers.Host = $"{host}.{Base}:{_port}";
            using var response = await _https.SendAsync(post);
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        Assert.DoesNotContain(_logs.Lines, line => line.Message.Contains("telemetry-secret", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheActiveTranscriptIsOnlyForTranscribedAdmittedParticipantsOnlyWhatTheyWereShownAndDiesWithThem()
    {
        foreach (var (name, room) in new[] { ("transcribed", "SKIP"), ("transcribed-waiting", "ON_PRIVILEGED_USER_ENTRY") })
        {
            (await _api.PostAsync("/presets", JsonSerializer.Serialize(new
            {
                name,
                config = new { view_type = "GROUP_CALL" },
                permissions = new { can_produce_audio = true, transcription_enabled = true, waiting_room_type = room },
            }))).EnsureOk();
        }

        string meeting = await _api.CreateMeetingAsync();
        var ada = await _api.AddParticipantAsync(meeting, "ada", "transcribed", name: "Ada");
        var dan = await _api.AddParticipantAsync(meeting, "dan", "transcribed", name: "Dan");
        var viewer = await _api.AddParticipantAsync(meeting, "viewer", "webinar_viewer", name: "Vic");
        var waiter = await _api.AddParticipantAsync(meeting, "waiter", "transcribed-waiting", name: "Wes");
        await using var channel = await RealtimeTestClient.ConnectAsync(_server.HttpBase, ada.Token, _tls.Certificate);
        var joined = await channel.OkAsync("join");
        string session = joined.GetProperty("meeting").GetProperty("session_id").GetString()!;
        string path = $"/v2/meetings/{meeting}/active-transcript";

        // Ada's line was shown to the meeting; a board member's, whose preset has no transcription_enabled, was kept for the app alone.
        var store = _server.App.Services.GetRequiredService<SqlTranscriptStore>();
        var at = DateTimeOffset.UtcNow;
        await store.AddAsync(session, meeting, new TranscriptLine("1", "ada-peer", ada.Id, "ada", "Ada", at, at.AddSeconds(2), "shown to everyone"), shown: true, default);
        await store.AddAsync(session, meeting, new TranscriptLine("2", "board-peer", "board", "board", "Board", at.AddSeconds(3), at.AddSeconds(5), "for the app only"),
            shown: false, default);

        var refused = await CallAsync(HttpMethod.Get, path, viewer.Token);
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Contains("transcription_enabled", refused.Body.GetProperty("error").GetProperty("message").GetString());
        var waiting = await CallAsync(HttpMethod.Get, path, waiter.Token);
        Assert.Equal(HttpStatusCode.Forbidden, waiting.Status);
        Assert.Contains("waits to be admitted", waiting.Body.GetProperty("error").GetProperty("message").GetString());

        var (status, body) = await CallAsync(HttpMethod.Get, path, dan.Token);
        Assert.Equal(HttpStatusCode.OK, status);
        string link = body.GetProperty("data").GetProperty("transcript_download_url").GetString()!;
        string lines = await _https.GetStringAsync(link);
        Assert.Contains("shown to everyone", lines);
        Assert.DoesNotContain("for the app only", lines);
        Assert.Single(lines.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        // The link dies with its participant.
        (await _api.SendAsync(HttpMethod.Delete, $"/meetings/{meeting}/participants/{dan.Id}")).EnsureOk();
        using var after = await _https.GetAsync(link);
        Assert.Equal(HttpStatusCode.Forbidden, after.StatusCode);
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> CallAsync(HttpMethod method, string path, string token, string? body = null, string? host = null)
    {
        using var request = new HttpRequestMessage(method, $"{_server.HttpBase}{path}");
        request.Headers.Host = host ?? $"api.{Base}:{_port}";
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await _https.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }
}
