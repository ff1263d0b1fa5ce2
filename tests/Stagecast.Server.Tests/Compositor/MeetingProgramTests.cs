using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.Server.Features.Compositor;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;
using Stagecast.WebRtc.Client;
using Stagecast.WebRtc.Dtls;

namespace Stagecast.Server.Tests.Compositor;

/// <summary>Meeting livestreams without manual ingest: the compositor's program goes live, is watched and stops with them.</summary>
public sealed class MeetingProgramTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task AMeetingWithNobodyPublishingGoesLiveWithAProgramOfTheAskedSizeAndItStopsWithTheLivestream()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync("""{"title":"Quiet room"}""");
        var host = await api.AddParticipantAsync(meeting, "host", "livestream_host");
        var (h, _) = await MeetingHelpers.JoinAsync(server.HttpBase, host);
        await using var _h = h;

        var started = await api.PostAsync($"/meetings/{meeting}/livestreams", """{"name":"program","video_config":{"width":640,"height":360}}""");
        Assert.Equal(HttpStatusCode.Created, started.Status);
        string id = started.Data.GetProperty("id").GetString()!;
        string playback = started.Data.GetProperty("playback_url").GetString()!;
        Assert.Equal("LIVESTREAMING", (await h.WaitForEventAsync("livestream_started", timeout: TimeSpan.FromSeconds(20))).GetProperty("livestream").GetProperty("state").GetString());
        await api.WaitForStatusAsync(id, "LIVE");

        await server.WaitUntilPlayableAsync(playback);
        var streams = await Ffmpeg.ProbeAsync(playback);
        Assert.Contains(streams, s => s is { Codec: "h264", Width: 640, Height: 360 });
        Assert.Contains(streams, s => s is { Codec: "aac", SampleRate: 48000 });
        var decoded = await Ffmpeg.DecodeAsync(playback, 4);
        Assert.True(decoded.ExitCode == 0 && decoded.Error.Length == 0, decoded.Error);

        // WHEP plays the same program (its whep_url, as for any livestream).
        string whep = started.Data.GetProperty("whep_url").GetString()!;
        await using (var viewer = await WhepClient.ConnectAsync(server.Http, whep, DtlsCertificate.Create(TimeProvider.System)))
        {
            await Eventually.TrueAsync(() => viewer.VideoPackets > 30 && viewer.AudioPackets > 20, "the program's video and audio over WHEP");
        }

        (await api.PostAsync($"/meetings/{meeting}/active-livestream/stop")).EnsureOk();
        await h.WaitForEventAsync("livestream_stopped");
        var programs = server.App.Services.GetRequiredService<MeetingPrograms>();
        await Eventually.TrueAsync(() => programs.Find(meeting) is null, "the program to stop once nothing needs it", TimeSpan.FromSeconds(15));
    }
}
