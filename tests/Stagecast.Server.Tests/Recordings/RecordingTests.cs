using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.Server.Features.Programs;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Recordings;

/// <summary>Meeting recordings (RealtimeKit's API) of the compositor's program: start, pause, resume, stop, download.</summary>
[Trait(ContractSuite.Trait, ContractSuite.Name)]
public sealed class RecordingTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task AMeetingRecordingWithAPauseHasNoGapAndDownloadsWithRanges()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync("""{"title":"Recorded"}""");
        Assert.Equal(HttpStatusCode.Conflict, (await api.PostAsync("/recordings", JsonSerializer.Serialize(new { meeting_id = meeting }))).Status);
        var host = await api.AddParticipantAsync(meeting, "host");
        var (h, joined) = await MeetingHelpers.JoinAsync(server.HttpBase, host);
        await using var _h = h;
        string session = joined.GetProperty("meeting").GetProperty("session_id").GetString()!;

        var started = await api.PostAsync("/recordings", JsonSerializer.Serialize(new { meeting_id = meeting, file_name_prefix = "weekly", video_config = new { width = 640, height = 360 } }));
        Assert.Equal(HttpStatusCode.Created, started.Status);
        string id = started.Data.GetProperty("id").GetString()!;
        Assert.Equal(("INVOKED", session, "API_CALL"), (started.Data.GetProperty("status").GetString(), started.Data.GetProperty("session_id").GetString(),
            started.Data.GetProperty("start_reason").GetString()));
        Assert.StartsWith("weekly-", started.Data.GetProperty("output_file_name").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await api.PostAsync("/recordings", JsonSerializer.Serialize(new { meeting_id = meeting }))).Status);
        await WaitAsync(api, id, r => r.GetProperty("status").GetString() == "RECORDING", "RECORDING");
        Assert.Equal(id, (await api.GetAsync($"/recordings/active-recording/{meeting}")).EnsureOk().Data.GetProperty("id").GetString());

        await WaitAsync(api, id, r => r.GetProperty("recording_duration").GetDouble() >= 3, "3 s recorded");
        Assert.Equal("PAUSED", (await ActAsync(api, id, "pause")).GetProperty("status").GetString());
        // The pause lasts 3 s of the program's own media (its stream in the program hub), not of a sleep.
        var program = server.App.Services.GetRequiredService<MeetingPrograms>().ProgramHub.Find(meeting)!;
        var pausedAt = program.IngestedDuration;
        await Eventually.TrueAsync(() => program.IngestedDuration >= pausedAt + TimeSpan.FromSeconds(3), "3 s of program media while paused");
        Assert.Equal("RECORDING", (await ActAsync(api, id, "resume")).GetProperty("status").GetString());
        await WaitAsync(api, id, r => r.GetProperty("recording_duration").GetDouble() >= 5, "5 s recorded");
        var stopped = await ActAsync(api, id, "stop");
        var programWhileRecorded = program.IngestedDuration; // the program's media since it started, pause included
        Assert.Equal(("UPLOADED", "API_CALL"), (stopped.GetProperty("status").GetString(), stopped.GetProperty("stop_reason").GetString()));
        Assert.Equal(HttpStatusCode.Conflict, (await api.SendAsync(HttpMethod.Put, $"/recordings/{id}", """{"action":"stop"}""")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/recordings/active-recording/{meeting}")).Status);

        // The file plays: H.264 and AAC, as long as what was recorded, the pause taken out.
        string url = stopped.GetProperty("download_url").GetString()!;
        var streams = await Ffmpeg.ProbeAsync(url);
        Assert.Contains(streams, s => s is { Codec: "h264", Width: 640, Height: 360 });
        Assert.Contains(streams, s => s is { Codec: "aac" });
        double duration = await DurationAsync(url);
        double recorded = stopped.GetProperty("recording_duration").GetDouble();
        // The file's media against the recording's clock time: a program short of CPU (other work on both cores) makes
        // its media in bursts, a second or so off the clock either way.
        Assert.InRange(duration, recorded - 2, recorded + 2);
        Assert.True(duration < programWhileRecorded.TotalSeconds - 2,
            $"the file lasts {duration:F1} s of the program's {programWhileRecorded.TotalSeconds:F1} s with a 3 s pause: the pause left a gap");
        var decoded = await Ffmpeg.DecodeAsync(url, 30);
        Assert.True(decoded.ExitCode == 0 && decoded.Error.Trim().Length == 0, decoded.Error);

        // Ranges, so players seek; the link is the credential and expires.
        using var http = new HttpClient();
        byte[] whole = await http.GetByteArrayAsync(url);
        Assert.Equal(stopped.GetProperty("file_size").GetInt64(), whole.Length);
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Range = new RangeHeaderValue(1000, 1099);
        var partial = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(whole.AsSpan(1000, 100).ToArray(), await partial.Content.ReadAsByteArrayAsync());
        string expired = System.Text.RegularExpressions.Regex.Replace(url, "expires=\\d+", "expires=1000000000");
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync(expired)).StatusCode);
        Assert.True(whole.AsSpan(0, 64).IndexOf("moov"u8) >= 0, "the index is at the front");

        // A browser plays it and seeks in it.
        await using (var browser = await Browser.LaunchAsync())
        {
            var page = await browser.OpenAsync("player.html");
            double seekedTo = await page.EvaluateAsync<double>("""
                async url => {
                  const video = document.createElement('video');
                  video.muted = true;
                  video.src = url;
                  document.body.append(video);
                  await video.play();
                  await new Promise(resolve => video.addEventListener('timeupdate', () => video.currentTime > 0.5 && resolve()));
                  video.currentTime = 3;
                  await new Promise(resolve => video.addEventListener('seeked', resolve, { once: true }));
                  return video.currentTime;
                }
                """, url);
            Assert.InRange(seekedTo, 2.9, 3.1);
        }

        var listed = (await api.GetAsync($"/recordings?meeting_id={meeting}&status=UPLOADED")).EnsureOk();
        Assert.Equal(id, Assert.Single(listed.Data.EnumerateArray()).GetProperty("id").GetString());
    }

    [Fact]
    public async Task AMeetingThatRecordsOnStartRecordsEachSessionUntilEveryoneLeaves()
    {
        var api = await server.NewTenantAsync();
        await using var receiver = await WebhookReceiver.StartAsync(server.HttpBase);
        (await api.PostAsync("/webhooks", JsonSerializer.Serialize(new { name = "recordings", url = receiver.Url, events = new[] { "recording.statusUpdate" } }))).EnsureOk();
        string meeting = await api.CreateMeetingAsync("""{"title":"Always recorded","record_on_start":true}""");
        var host = await api.AddParticipantAsync(meeting, "host");
        var (h, _) = await MeetingHelpers.JoinAsync(server.HttpBase, host);
        await using var _h = h;
        var active = await api.WaitForAsync($"/recordings/active-recording/{meeting}", r => r.Status == HttpStatusCode.OK);
        string id = active.Data.GetProperty("id").GetString()!;
        Assert.Equal("RECORD_ON_START", active.Data.GetProperty("start_reason").GetString());
        await WaitAsync(api, id, r => r.GetProperty("recording_duration").GetDouble() >= 2, "2 s recorded");

        (await api.PostAsync($"/meetings/{meeting}/active-session/kick-all")).EnsureOk();
        var done = await WaitAsync(api, id, r => r.GetProperty("status").GetString() == "UPLOADED", "the recording stored");
        Assert.Equal("ALL_PEERS_LEFT", done.GetProperty("stop_reason").GetString());
        Assert.True(await DurationAsync(done.GetProperty("download_url").GetString()!) >= 1.5);

        // recording.statusUpdate on every change, signed, in order.
        var hooks = await receiver.WaitForAsync(r => r.Count >= 3, TimeSpan.FromSeconds(30));
        Assert.All(hooks, h => Assert.True(h.SignatureValid));
        Assert.Equal(["INVOKED", "RECORDING", "UPLOADED"], hooks.Select(h => h.Json.GetProperty("recording").GetProperty("status").GetString()));
        Assert.All(hooks, h => Assert.Equal(id, h.Json.GetProperty("recording").GetProperty("id").GetString()));
    }

    [Fact]
    public async Task ALivestreamRecordedAutomaticallyIsOneFileAcrossAReconnectAndPlays()
    {
        var api = await server.NewTenantAsync();
        var created = await api.PostAsync("/livestreams", """{"name":"recorded","recording":{"mode":"automatic"}}""");
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal("automatic", created.Data.GetProperty("recording").GetProperty("mode").GetString());
        string id = created.Data.GetProperty("id").GetString()!;
        string publishUrl = $"{created.Data.GetProperty("ingest_server").GetString()}/{created.Data.GetProperty("stream_key").GetString()}";
        Assert.Equal(HttpStatusCode.BadRequest, (await api.SendAsync(HttpMethod.Patch, $"/livestreams/{id}", """{"recording":{"mode":"sometimes"}}""")).Status);
        var other = await api.CreateLivestreamAsync();
        Assert.Equal("automatic", (await api.SendAsync(HttpMethod.Patch, $"/livestreams/{other.Id}", """{"recording":{"mode":"automatic"}}"""))
            .EnsureOk().Data.GetProperty("recording").GetProperty("mode").GetString());

        // Two publishers, the first one dropped: one session, one recording.
        var first = Ffmpeg.Publish(publishUrl, Ffmpeg.AudioVideo(60, "320x180"));
        string sessionId = (await api.WaitForStatusAsync(id, "LIVE")).GetProperty("session").GetProperty("id").GetString()!;
        var stream = await server.WaitForMediaAsync(id, TimeSpan.FromSeconds(3));
        await first.DisposeAsync(); // killed: the connection drops without unpublishing
        await Eventually.TrueAsync(() => stream.State == Stagecast.Streaming.HubStreamState.Reconnecting, "the hub to notice the drop");
        await using (var second = Ffmpeg.Publish(publishUrl, Ffmpeg.AudioVideo(4, "320x180")))
        {
            Assert.Equal(0, await second.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }

        await api.WaitForStatusAsync(id, "IDLE");
        var session = (await api.WaitForAsync($"/livestreams/sessions/{sessionId}",
            r => r.Data.GetProperty("recording").ValueKind == JsonValueKind.Object && r.Data.GetProperty("recording").GetProperty("status").GetString() == "UPLOADED")).Data;
        var recording = session.GetProperty("recording");
        Assert.Equal((id, sessionId, "AUTOMATIC"), (recording.GetProperty("livestream_id").GetString(), recording.GetProperty("session_id").GetString(),
            recording.GetProperty("start_reason").GetString()));
        var listed = (await api.GetAsync("/recordings")).EnsureOk().Data;
        Assert.Equal(recording.GetProperty("id").GetString(), Assert.Single(listed.EnumerateArray()).GetProperty("id").GetString());

        Assert.Equal(JsonValueKind.Null, recording.GetProperty("captions_download_url").ValueKind); // nothing transcribed it
        string url = recording.GetProperty("download_url").GetString()!;
        var streams = await Ffmpeg.ProbeAsync(url);
        Assert.Contains(streams, s => s is { Codec: "h264", Width: 320, Height: 180 });
        Assert.Contains(streams, s => s is { Codec: "aac" });
        double duration = await DurationAsync(url);
        Assert.InRange(duration, session.GetProperty("ingest_seconds").GetInt64() - 1.5, session.GetProperty("ingest_seconds").GetInt64() + 1.5);
        var decoded = await Ffmpeg.DecodeAsync(url, 30);
        Assert.True(decoded.ExitCode == 0, decoded.Error);
    }

    private static async Task<JsonElement> ActAsync(StagecastApiClient api, string id, string action) =>
        (await api.SendAsync(HttpMethod.Put, $"/recordings/{id}", JsonSerializer.Serialize(new { action }))).EnsureOk().Data;

    private static async Task<JsonElement> WaitAsync(StagecastApiClient api, string id, Func<JsonElement, bool> condition, string what) =>
        (await Eventually.MatchAsync(() => api.GetAsync($"/recordings/{id}"), r => r.Status == HttpStatusCode.OK && condition(r.Data), what, TimeSpan.FromSeconds(30),
            r => r.Body.ToString())).Data;

    private static async Task<double> DurationAsync(string url)
    {
        var (exitCode, output, error) = await ExternalProcess.RunAsync("ffprobe",
            ["-v", "error", "-show_entries", "format=duration", "-of", "default=noprint_wrappers=1:nokey=1", url], TimeSpan.FromSeconds(30));
        Assert.True(exitCode == 0, error);
        return double.Parse(output.Trim(), CultureInfo.InvariantCulture);
    }
}
