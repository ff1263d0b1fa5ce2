using System.Text.Json;
using Microsoft.Playwright;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Meetings;

/// <summary>One participant in a browser: tests/browser/meeting.html driven through Playwright.</summary>
public sealed class MeetingPage(IPage page)
{
    public IPage Page { get; } = page;

    public string PeerId { get; private set; } = null!;

    public string SessionId { get; private set; } = null!;

    public static async Task<MeetingPage> JoinAsync(Browser browser, string httpBase, CreatedParticipant participant)
    {
        var page = new MeetingPage(await browser.OpenAsync("meeting.html"));
        var joined = await page.Page.EvaluateAsync<JsonElement>("([b, t, n]) => join(b, t, n)", new[] { httpBase, participant.Token, participant.CustomId });
        page.PeerId = joined.GetProperty("peer_id").GetString()!;
        page.SessionId = joined.GetProperty("meeting").GetProperty("session_id").GetString()!;
        return page;
    }

    /// <summary>Publishes the camera (fake camera; the fake microphone's beeps, or a tone or silence made in the page).</summary>
    public async Task PublishAsync(string audio = "device", string source = "camera")
    {
        var result = await Page.EvaluateAsync<JsonElement>("([s, a]) => publish(s, a === 'device' ? {} : { audio: a })", new[] { source, audio });
        Assert.True(result.GetProperty("status").GetInt32() == 201, $"publish: {result}");
    }

    public async Task SubscribeAsync(string peerId, int relayPort = 0)
    {
        var result = await Page.EvaluateAsync<JsonElement>("([p, r]) => subscribe(p, 'camera', r)", new object[] { peerId, relayPort });
        Assert.True(result.GetProperty("status").GetInt32() == 201, $"subscribe: {result}");
    }

    public Task<JsonElement> StatsAsync(string peerId) => Page.EvaluateAsync<JsonElement>("p => subscriptionStats(p)", peerId);

    public Task<JsonElement> RequestAsync(string type, object fields) =>
        Page.EvaluateAsync<JsonElement>("([t, f]) => request(t, f)", new object[] { type, fields });

    /// <summary>Waits for an event of the channel whose JSON matches, among those after the first <paramref name="after"/> of its type.</summary>
    public Task<JsonElement> WaitForEventAsync(string type, Func<JsonElement, bool> match, string what, TimeSpan? timeout = null, int after = 0) =>
        Eventually.MatchAsync(async () =>
            (await Page.EvaluateAsync<JsonElement>("t => eventsOf(t)", type)).EnumerateArray().Skip(after).FirstOrDefault(match),
            e => e.ValueKind != JsonValueKind.Undefined, what, timeout);

    /// <summary>How many events of a type the page has seen (to wait for later ones).</summary>
    public async Task<int> EventCountAsync(string type) => await Page.EvaluateAsync<int>("t => eventsOf(t).length", type);

    /// <summary>Waits until the peer is announced publishing (or not) its camera's video and audio (in an event after the first <paramref name="after"/>).</summary>
    public Task<JsonElement> WaitForPeerMediaAsync(string peerId, bool? video, bool? audio, int after = 0) =>
        WaitForEventAsync("peer_updated", e =>
        {
            var peer = e.GetProperty("peer");
            return peer.GetProperty("id").GetString() == peerId
                && (video is null || peer.GetProperty("video_enabled").GetBoolean() == video)
                && (audio is null || peer.GetProperty("audio_enabled").GetBoolean() == audio);
        }, $"peer_updated of {peerId} (video {video}, audio {audio})", after: after);

    /// <summary>Waits until the subscription to a peer has decoded frames and heard audio, and keeps doing so.</summary>
    public async Task WaitForMediaFromAsync(string peerId)
    {
        var first = await Eventually.MatchAsync(() => StatsAsync(peerId),
            s => s.GetProperty("framesDecoded").GetInt64() > 10 && s.GetProperty("audioEnergy").GetDouble() > 0, $"frames and sound from {peerId}");
        await Eventually.MatchAsync(() => StatsAsync(peerId),
            s => s.GetProperty("framesDecoded").GetInt64() > first.GetProperty("framesDecoded").GetInt64() + 10
                && s.GetProperty("audioEnergy").GetDouble() > first.GetProperty("audioEnergy").GetDouble(),
            $"frames and sound from {peerId} to keep coming");
    }
}
