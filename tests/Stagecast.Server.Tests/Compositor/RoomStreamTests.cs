using System.Net;
using System.Text.Json;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Compositor;

/// <summary>Room streams: a meeting's program pushed to nginx-rtmp and ffmpeg while a dead destination retries.</summary>
[Trait(ContractSuite.Trait, ContractSuite.Name)]
public sealed class RoomStreamTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("stagecast-roomstreams-").FullName;

    [Fact]
    public async Task TheProgramReachesTwoDestinationsADeadOneRetriesStopCompletesAndTheSessionEndCompletesTheRest()
    {
        var api = await server.NewTenantAsync();
        string quiet = await api.CreateMeetingAsync();
        Assert.Equal(HttpStatusCode.Conflict, (await api.PostAsync($"/meetings/{quiet}/active-session/streams", """{"url":"rtmp://127.0.0.1:1935/app/key"}""")).Status);

        int nginxPort = FreePorts.Next();
        int ffmpegPort = FreePorts.Next();
        string recordings = Path.Combine(_work, "nginx");
        string ffmpegFile = Path.Combine(_work, "ffmpeg.flv");
        await using var nginx = await Receivers.NginxAsync(nginxPort, recordings);
        await using var listener = await Receivers.FfmpegAsync(ffmpegPort, "secret-key", ffmpegFile);

        string meeting = await api.CreateMeetingAsync("""{"title":"Room streams"}""");
        var host = await api.AddParticipantAsync(meeting, "host");
        var (h, joined) = await MeetingHelpers.JoinAsync(server.HttpBase, host);
        await using var _h = h;
        string session = joined.GetProperty("meeting").GetProperty("session_id").GetString()!;
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsync($"/meetings/{meeting}/active-session/streams", """{"url":"https://example.com/live"}""")).Status);

        var toNginx = await StartAsync(api, meeting, $"rtmp://127.0.0.1:{nginxPort}/app/room");
        var toFfmpeg = await StartAsync(api, meeting, $"rtmp://127.0.0.1:{ffmpegPort}/app/secret-key");
        var toNowhere = await StartAsync(api, meeting, $"rtmp://127.0.0.1:{FreePorts.Next()}/app/secret-key");
        Assert.Equal($"rtmp://127.0.0.1:{ffmpegPort}/app/****", toFfmpeg.GetProperty("url").GetString());
        Assert.Equal((meeting, session, "streaming"), (toFfmpeg.GetProperty("room_id").GetString(), toFfmpeg.GetProperty("room_session_id").GetString(),
            toFfmpeg.GetProperty("state").GetString()));
        var announced = await h.WaitForEventAsync("stream_started");
        Assert.DoesNotContain("secret-key", announced.ToString());

        await WaitForStatusAsync(api, Id(toNginx), "streaming");
        await WaitForStatusAsync(api, Id(toFfmpeg), "streaming");
        var failing = await WaitForStatusAsync(api, Id(toNowhere), "errored");
        Assert.StartsWith("cannot connect", failing.GetProperty("last_error").GetString());
        // A few seconds of program (a still picture, no participant media: about 8 KB/s, a keyframe a second) before
        // stopping, so the receiver's file has pictures to decode. 200 KB took 25 s alone and longer under load.
        await api.WaitForAsync($"/streams/{Id(toFfmpeg)}", r => r.Data.GetProperty("bytes_sent").GetInt64() > 50_000);

        // Stopped: completed, with its duration; stopping again is a conflict.
        var stopped = (await api.PostAsync($"/streams/{Id(toFfmpeg)}/stop")).EnsureOk().Data;
        Assert.Equal("completed", stopped.GetProperty("state").GetString());
        Assert.True(stopped.GetProperty("duration").GetDouble() > 1);
        Assert.Equal(HttpStatusCode.Conflict, (await api.PostAsync($"/streams/{Id(toFfmpeg)}/stop")).Status);
        Assert.Equal(Id(toFfmpeg), (await h.WaitForEventAsync("stream_ended")).GetProperty("stream").GetProperty("id").GetString());
        await listener.WaitForExitAsync(TimeSpan.FromSeconds(15));

        // The session ends: the rest complete.
        (await api.PostAsync($"/meetings/{meeting}/active-session/kick-all")).EnsureOk();
        var all = await api.WaitForAsync($"/sessions/{session}/streams",
            r => r.Data.GetArrayLength() == 3 && r.Data.EnumerateArray().All(s => s.GetProperty("state").GetString() == "completed"));
        Assert.All(all.Data.EnumerateArray(), s => Assert.NotEqual(JsonValueKind.Null, s.GetProperty("ended_at").ValueKind));
        Assert.DoesNotContain("secret-key", all.Body.ToString());

        // What each destination received is the program: H.264 and AAC at the default 1280x720.
        await nginx.DisposeAsync();
        foreach (string file in new[] { Receivers.Recordings(recordings).Single(), ffmpegFile })
        {
            var streams = await Ffmpeg.ProbeAsync(file);
            Assert.Contains(streams, s => s is { Codec: "h264", Width: 1280, Height: 720 });
            Assert.Contains(streams, s => s is { Codec: "aac", SampleRate: 48000 });
            var (exitCode, _, errors) = await Ffmpeg.DecodeAsync(file, 30);
            Assert.True(exitCode == 0 && errors.Trim().Length == 0, $"{file}: {errors}");
        }
    }

    [Fact]
    public async Task AMeetingsRoomStreamsStartWithItsSessionAndAreShownMasked()
    {
        int port = FreePorts.Next();
        await using var nginx = await Receivers.NginxAsync(port, Path.Combine(_work, "auto"));
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync($$"""{"title":"Auto","room_streams":[{"url":"rtmp://127.0.0.1:{{port}}/app/auto-key"}]}""");
        var shown = (await api.GetAsync($"/meetings/{meeting}")).EnsureOk().Data.GetProperty("room_streams");
        Assert.Equal($"rtmp://127.0.0.1:{port}/app/****", Assert.Single(shown.EnumerateArray()).GetProperty("url").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await api.SendAsync(HttpMethod.Patch, $"/meetings/{meeting}", """{"room_streams":[{"url":"http://nope"}]}""")).Status);

        var host = await api.AddParticipantAsync(meeting, "host");
        var (h, _) = await MeetingHelpers.JoinAsync(server.HttpBase, host);
        await using var _h = h;
        var started = await h.WaitForEventAsync("stream_started", timeout: TimeSpan.FromSeconds(20));
        string id = started.GetProperty("stream").GetProperty("id").GetString()!;
        await WaitForStatusAsync(api, id, "streaming");
        var active = (await api.GetAsync($"/meetings/{meeting}/active-session/streams")).EnsureOk().Data;
        Assert.Equal(id, Assert.Single(active.EnumerateArray()).GetProperty("id").GetString());
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static string Id(JsonElement stream) => stream.GetProperty("id").GetString()!;

    private static async Task<JsonElement> StartAsync(StagecastApiClient api, string meeting, string url)
    {
        var reply = await api.PostAsync($"/meetings/{meeting}/active-session/streams", JsonSerializer.Serialize(new { url }));
        Assert.True(reply.Status == HttpStatusCode.Created, reply.Body.ToString());
        return reply.Data;
    }

    private static async Task<JsonElement> WaitForStatusAsync(StagecastApiClient api, string id, string status) =>
        (await api.WaitForAsync($"/streams/{id}", r => r.Data.GetProperty("status").GetString() == status)).Data;
}
