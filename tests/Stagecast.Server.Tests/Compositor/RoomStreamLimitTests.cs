using System.Net;
using System.Text.Json;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Compositor;

/// <summary>A quota on room streams (once none: 60 were accepted on one meeting, where a livestream's outputs stop at 50).</summary>
public sealed class RoomStreamLimitTests
{
    [Fact]
    public async Task RoomStreamsPastTheMeetingsLimitAreRefused()
    {
        await using var own = (await ServerFixture.StartAsync(["--set", "Stagecast:RoomStreams:MaxPerMeeting=2"])).AsAsyncDisposable(out var server);
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var (host, _) = await MeetingHelpers.JoinAsync(server.HttpBase, await api.AddParticipantAsync(meeting, "host"));
        await using var _host = host;

        // Four asked for at once: two run, two are refused.
        string body = JsonSerializer.Serialize(new { url = $"rtmp://127.0.0.1:{FreePorts.Next()}/app/key" });
        var replies = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => api.PostAsync($"/meetings/{meeting}/active-session/streams", body)));
        Assert.Equal(2, replies.Count(r => r.Status == HttpStatusCode.Created));
        var refused = replies.Where(r => r.Status != HttpStatusCode.Created).ToList();
        Assert.All(refused, r => Assert.Equal((HttpStatusCode.TooManyRequests, 429), (r.Status, r.ErrorCode)));
        Assert.Contains($"meeting {meeting} already has 2 room streams running", refused[0].ErrorMessage);

        // What was refused left nothing behind; one stopped makes room.
        Assert.Equal(2, (await api.GetAsync($"/meetings/{meeting}/active-session/streams")).EnsureOk().Data.GetArrayLength());
        string first = replies.First(r => r.Status == HttpStatusCode.Created).Data.GetProperty("id").GetString()!;
        (await api.PostAsync($"/streams/{first}/stop")).EnsureOk();
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsync($"/meetings/{meeting}/active-session/streams", body)).Status);
    }
}
