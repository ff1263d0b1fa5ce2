using System.Text.Json;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;
using Stagecast.Testing.RealtimeKit;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>
/// A host on RealtimeKit's unmodified SDK runs the meeting's livestream and recording with the SDK's own calls
/// (<c>meeting.livestream.start()</c>, <c>meeting.recording.start()</c>): Stagecast composites the meeting, a viewer
/// on the SDK sees it go live and plays it, and the recording's state comes back over the socket and ends in a file.
/// The host's preset is an off-stage LIVESTREAM one (it runs the show without publishing), so no WebRTC is involved.
/// </summary>
[Trait(LongLane.Trait, LongLane.Name)]
public sealed class RealtimeKitHostTests
{
    [Theory]
    [InlineData("2.0.2")]
    [InlineData("1.5.1")]
    public async Task ASdkHostStartsTheLivestreamAViewerPlaysItAndARecordingEndsInAFile(string sdk)
    {
        await using var rtk = await RealtimeKitServer.StartAsync();
        var (server, api, browser) = (rtk.Server, rtk.Api, rtk.Browser);
        (await api.PostAsync("/presets", JsonSerializer.Serialize(new
        {
            name = "producer",
            config = new { view_type = "LIVESTREAM" },
            permissions = new
            {
                can_livestream = true,
                can_record = true,
                can_produce_audio = false,
                can_produce_video = false,
                can_produce_screenshare = false,
                media = new { audio = new { can_produce = "NOT_ALLOWED" }, video = new { can_produce = "NOT_ALLOWED" }, screenshare = new { can_produce = "NOT_ALLOWED" } },
            },
        }))).EnsureOk();
        string meeting = await api.CreateMeetingAsync("""{"title":"Launch"}""");
        var producer = await api.AddParticipantAsync(meeting, "producer", "producer", name: "Pat");
        var viewer = await api.AddParticipantAsync(meeting, "viewer", "livestream_viewer", name: "Vic");
        var host = await browser.JoinAsync(producer.Token, media: false, sdkVersion: sdk);
        var watcher = await browser.JoinAsync(viewer.Token, media: false, sdkVersion: sdk);

        // The livestream, composited from the meeting: live for the host and the viewer, and playable.
        await host.StartLivestreamAsync();
        var live = await watcher.WaitForStateAsync(s => s.Livestream?.State == "LIVESTREAMING", "the viewer sees the livestream live", TimeSpan.FromSeconds(60));
        await host.WaitForStateAsync(s => s.Livestream?.State == "LIVESTREAMING", "the host sees it live");
        string playback = live.Livestream!.PlaybackUrl!;
        await server.WaitUntilPlayableAsync(playback);
        Assert.Equal(0, (await Ffmpeg.DecodeAsync(playback, 2)).ExitCode);

        // The recording, through the SDK: its state comes back over the socket; stopped, it is stored as a file.
        await host.StartRecordingAsync();
        await host.WaitForStateAsync(s => s.RecordingState == "RECORDING", "the host sees the recording running", TimeSpan.FromSeconds(30));
        await watcher.WaitForStateAsync(s => s.RecordingState == "RECORDING", "the viewer sees it too");
        await host.StopRecordingAsync();
        await host.WaitForStateAsync(s => s.RecordingState == "IDLE", "the recording stopped", TimeSpan.FromSeconds(30));
        var stored = await api.WaitForAsync($"/recordings?meeting_id={meeting}",
            r => r.Data.EnumerateArray().Any(x => x.GetProperty("status").GetString() == "UPLOADED"), TimeSpan.FromSeconds(60));
        Assert.True(stored.Data.EnumerateArray().Single().GetProperty("file_size").GetInt64() > 0);

        await host.StopLivestreamAsync();
        await watcher.WaitForStateAsync(s => s.Livestream?.State == "IDLE", "the viewer sees the livestream end");
    }
}
