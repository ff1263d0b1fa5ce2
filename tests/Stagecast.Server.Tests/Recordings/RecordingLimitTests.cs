using System.Net;
using System.Text.Json;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Recordings;

/// <summary>
/// Quotas on recordings (once none: 20 recordings of one meeting started 22 ffmpeg processes, 15 track recordings 30):
/// per meeting, per app, one track recording per meeting; requests that arrive together cannot all pass.
/// </summary>
public sealed class RecordingLimitTests
{
    [Fact]
    public async Task RecordingsPastTheMeetingsAndTheAppsLimitsAreRefusedAndLeaveNothingBehind()
    {
        await using var own = (await ServerFixture.StartAsync(["--set", "Stagecast:Recordings:MaxPerMeeting=2", "--set", "Stagecast:Recordings:MaxPerApp=3"]))
            .AsAsyncDisposable(out var server);
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        await using var browser = await Browser.LaunchAsync(Browser.WebRtcArgs);
        var page = await MeetingPage.JoinAsync(browser, server.HttpBase, await api.AddParticipantAsync(meeting, "ada"));
        await page.PublishAsync();
        await page.WaitForPeerMediaAsync(page.PeerId, video: true, audio: true);

        // Five program recordings asked for at once: two run, three are refused.
        string several = JsonSerializer.Serialize(new { meeting_id = meeting, allow_multiple_recordings = true, video_config = new { width = 320, height = 180 } });
        var replies = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => api.PostAsync("/recordings", several)));
        Assert.Equal(2, replies.Count(r => r.Status == HttpStatusCode.Created));
        var refused = replies.Where(r => r.Status != HttpStatusCode.Created).ToList();
        Assert.All(refused, r => Assert.Equal((HttpStatusCode.TooManyRequests, 429), (r.Status, r.ErrorCode)));
        Assert.Contains($"meeting {meeting} already has 2 recordings running", refused[0].ErrorMessage);

        // One track recording per meeting (a second would record the same tracks); it is the app's third.
        string tracks = JsonSerializer.Serialize(new { meeting_id = meeting });
        var trackReplies = await Task.WhenAll(api.PostAsync("/recordings/track", tracks), api.PostAsync("/recordings/track", tracks));
        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Conflict], trackReplies.Select(r => r.Status).Order());
        Assert.Contains("already has a track recording", trackReplies.Single(r => r.Status == HttpStatusCode.Conflict).ErrorMessage);

        // The app's fourth, in another meeting, is refused too.
        string other = await api.CreateMeetingAsync();
        var (bob, _) = await MeetingHelpers.JoinAsync(server.HttpBase, await api.AddParticipantAsync(other, "bob"));
        await using var _bob = bob;
        string otherBody = JsonSerializer.Serialize(new { meeting_id = other, video_config = new { width = 320, height = 180 } });
        var fourth = await api.PostAsync("/recordings", otherBody);
        Assert.Equal((HttpStatusCode.TooManyRequests, 429), (fourth.Status, fourth.ErrorCode));
        Assert.Contains("this app already has 3 meeting recordings running", fourth.ErrorMessage);

        // What was refused left nothing behind; one stopped makes room.
        Assert.Equal(3, (await api.GetAsync("/recordings")).EnsureOk().Data.GetArrayLength());
        string first = replies.First(r => r.Status == HttpStatusCode.Created).Data.GetProperty("id").GetString()!;
        (await api.SendAsync(HttpMethod.Put, $"/recordings/{first}", """{"action":"stop"}""")).EnsureOk();
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsync("/recordings", otherBody)).Status);
    }
}
