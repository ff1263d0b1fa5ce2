using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.Server.Features.Recordings;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Recordings;

/// <summary>POST /recordings/track: each participant's tracks recorded as they came, one file per track.</summary>
public sealed class TrackRecordingTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task AChromiumParticipantsVp8AndOpusPublishedAfterTheStartAreRecordedAsTheyCameIntoWebm()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var refused = await api.PostAsync("/recordings/track", JsonSerializer.Serialize(new { meeting_id = meeting }));
        Assert.Equal(HttpStatusCode.Conflict, refused.Status);
        Assert.Contains("has no active session", refused.ErrorMessage);
        await using var browser = await Browser.LaunchAsync(Browser.WebRtcArgs);
        var page = await MeetingPage.JoinAsync(browser, server.HttpBase, await api.AddParticipantAsync(meeting, "ada"));

        // Started in a live session before anybody publishes (as an app does at the session's start): the camera Ada
        // publishes afterwards is recorded from when it comes.
        var started = await api.PostAsync("/recordings/track", JsonSerializer.Serialize(new { meeting_id = meeting, layers = new { @default = new { file_name_prefix = "x" } } }));
        Assert.Equal(HttpStatusCode.Created, started.Status);
        string id = started.Data.GetProperty("id").GetString()!;
        Assert.Equal("RECORDING", started.Data.GetProperty("status").GetString());
        await page.PublishAsync();
        await page.WaitForPeerMediaAsync(page.PeerId, video: true, audio: true);
        double publishedAt = (await api.GetAsync($"/recordings/{id}")).EnsureOk().Data.GetProperty("recording_duration").GetDouble();
        await api.WaitForAsync($"/recordings/{id}", r => r.Data.GetProperty("recording_duration").GetDouble() >= publishedAt + 3);
        var stopped = (await api.SendAsync(HttpMethod.Put, $"/recordings/{id}", """{"action":"stop"}""")).EnsureOk().Data;
        Assert.Equal("UPLOADED", stopped.GetProperty("status").GetString());

        var tracks = stopped.GetProperty("tracks").EnumerateArray().ToDictionary(t => t.GetProperty("kind").GetString()!);
        Assert.Equal(["audio", "video"], tracks.Keys.Order());
        Assert.Equal(("VP8", page.PeerId, "camera"), (tracks["video"].GetProperty("codec").GetString(), tracks["video"].GetProperty("peer_id").GetString(),
            tracks["video"].GetProperty("source").GetString()));
        var video = await Ffmpeg.ProbeAsync(tracks["video"].GetProperty("download_url").GetString()!);
        Assert.Equal(("vp8", 320, 180), (Assert.Single(video).Codec, video[0].Width, video[0].Height));
        var audio = await Ffmpeg.ProbeAsync(tracks["audio"].GetProperty("download_url").GetString()!);
        Assert.Equal(("opus", 48000), (Assert.Single(audio).Codec, audio[0].SampleRate));
        foreach (var track in tracks.Values)
        {
            var decoded = await Ffmpeg.DecodeAsync(track.GetProperty("download_url").GetString()!, 30);
            Assert.True(decoded.ExitCode == 0, decoded.Error);
        }
    }

    [Fact]
    public async Task TheMeetingsProgramGoingLiveDuringATrackRecordingIsNotRecordedIntoIt()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        await using var browser = await Browser.LaunchAsync(Browser.WebRtcArgs);
        var page = await MeetingPage.JoinAsync(browser, server.HttpBase, await api.AddParticipantAsync(meeting, "ada"));
        await page.PublishAsync();
        await page.WaitForPeerMediaAsync(page.PeerId, video: true, audio: true);
        string tracks = (await api.PostAsync("/recordings/track", JsonSerializer.Serialize(new { meeting_id = meeting }))).EnsureOk().Data.GetProperty("id").GetString()!;

        // A program recording starts the meeting's program; its recorder writes the program's file.
        string program = (await api.PostAsync("/recordings", JsonSerializer.Serialize(new { meeting_id = meeting, video_config = new { width = 320, height = 180 } })))
            .EnsureOk().Data.GetProperty("id").GetString()!;
        string directory = server.App.Services.GetRequiredService<RecordingService>().Directory;
        await Eventually.TrueAsync(() => new FileInfo(Path.Combine(directory, program + ".mp4.part")) is { Exists: true, Length: > 64 * 1024 },
            "the program recording's file to grow");

        // The track recording got no recorder of the program with it (one started with the program's, writing beside the tracks).
        Assert.False(File.Exists(Path.Combine(directory, tracks + ".mp4.part")));
        (await api.SendAsync(HttpMethod.Put, $"/recordings/{program}", """{"action":"stop"}""")).EnsureOk();
        var stopped = (await api.SendAsync(HttpMethod.Put, $"/recordings/{tracks}", """{"action":"stop"}""")).EnsureOk().Data;
        Assert.Equal(["audio", "video"], stopped.GetProperty("tracks").EnumerateArray().Select(t => t.GetProperty("kind").GetString()!).Order());
        Assert.False(File.Exists(Path.Combine(directory, tracks + ".mp4.part")));
    }
}
