using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.Server.Features.Recordings;
using Stagecast.Server.Features.Transcription;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Recordings;

/// <summary>Recordings uploaded to S3-compatible storage: s3rver (npm), a real S3 API server, started by the test.</summary>
public sealed class RecordingUploadTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task AFinishedRecordingIsUploadedVerifiedAndServedFromTheStorage()
    {
        await using var storage = await S3rver.StartAsync("recordings");

        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var (h, _) = await MeetingHelpers.JoinAsync(server.HttpBase, await api.AddParticipantAsync(meeting, "host"));
        await using var _h = h;
        var config = new { type = "aws", access_key = "S3RVER", secret = "S3RVER", bucket = "recordings", region = "us-east-1", path = "meetings", host = storage.Endpoint };
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsync("/recordings", JsonSerializer.Serialize(new { meeting_id = meeting, storage_config = new { type = "gcs" } }))).Status);

        string id = (await api.PostAsync("/recordings", JsonSerializer.Serialize(new { meeting_id = meeting, storage_config = config, video_config = new { width = 320, height = 180 } })))
            .EnsureOk().Data.GetProperty("id").GetString()!;
        await api.WaitForAsync($"/recordings/{id}", r => r.Data.GetProperty("recording_duration").GetDouble() >= 2);
        // A line of the meeting captioned (as live transcription does): the recording's captions go to the storage too.
        var now = DateTimeOffset.UtcNow;
        server.App.Services.GetRequiredService<LivestreamCaptions>().Add(meeting, new TranscriptLine("l1", "p1", "u1", "host", "Host", now.AddSeconds(-1), now, "hello there"));
        await Eventually.TrueAsync(() => File.Exists(Path.Combine(server.App.Services.GetRequiredService<RecordingService>().Directory, id + ".vtt")), "the caption to be written");
        // The stop answers at once, UPLOADING; the upload goes on in the background.
        Assert.Equal("UPLOADING", (await api.SendAsync(HttpMethod.Put, $"/recordings/{id}", """{"action":"stop"}""")).EnsureOk().Data.GetProperty("status").GetString());
        var stopped = (await api.WaitForAsync($"/recordings/{id}", r => r.Data.GetProperty("status").GetString() is "UPLOADED" or "ERRORED")).Data;
        Assert.True(stopped.GetProperty("status").GetString() == "UPLOADED", stopped.ToString());

        // The object is in the bucket under the path, the same bytes, and the download link points at the storage.
        string url = stopped.GetProperty("download_url").GetString()!;
        Assert.StartsWith($"{storage.Endpoint}/recordings/meetings/", url);
        using var http = new HttpClient();
        byte[] downloaded = await http.GetByteArrayAsync(url);
        Assert.Equal(stopped.GetProperty("file_size").GetInt64(), downloaded.Length);
        var streams = await Ffmpeg.ProbeAsync(url);
        Assert.Contains(streams, s => s.Codec == "h264");
        var recordings = server.App.Services.GetRequiredService<RecordingService>();
        Assert.False(File.Exists(Path.Combine(recordings.Directory, id + ".mp4")), "the local copy is removed once the upload is verified");
        string captions = stopped.GetProperty("captions_download_url").GetString()!;
        Assert.StartsWith($"{storage.Endpoint}/recordings/meetings/", captions);
        Assert.Matches("^WEBVTT\n\n\\d\\d:\\d\\d:\\d\\d\\.\\d{3} --> \\d\\d:\\d\\d:\\d\\d\\.\\d{3}\n<v Host>hello there\n$", await http.GetStringAsync(captions));
        Assert.False(File.Exists(Path.Combine(recordings.Directory, id + ".vtt")), "the captions' local copy is removed with the MP4's");
        Assert.NotEmpty(storage.ObjectsWith("meetings"));
        // The storage's credentials appear nowhere but in a signed link (each answer signs its own, at its own second).
        var again = (await api.GetAsync($"/recordings/{id}")).Data;
        Assert.DoesNotContain("S3RVER", again.ToString().Replace(again.GetProperty("download_url").GetString()!, "", StringComparison.Ordinal)
            .Replace(again.GetProperty("captions_download_url").GetString()!, "", StringComparison.Ordinal));
    }
}
