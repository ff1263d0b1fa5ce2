using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.Testing;
using Stagecast.Transcoding;

namespace Stagecast.Server.Tests.Transcoding;

/// <summary>
/// What an app sees of its encodes: their states on the livestream object while it is live, and
/// <c>livestreaming.renditionUpdate</c> when one comes up, falls behind (its ffmpeg stopped with SIGSTOP) and catches up.
/// </summary>
public sealed class RenditionStatusTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const string RenditionUpdate = "livestreaming.renditionUpdate";

    [Fact]
    public async Task AnEncodeThatFallsBehindIsShownAndAnnouncedAndSoIsItsReturn()
    {
        var api = await server.NewTenantAsync();
        await using var webhooks = await WebhookReceiver.StartAsync(server.HttpBase);
        (await api.PostAsync("/webhooks", JsonSerializer.Serialize(new { name = "renditions", url = webhooks.Url, events = new[] { RenditionUpdate } }))).EnsureOk();
        var livestream = await api.CreateLivestreamAsync(renditions: ["180p"]);

        await using (Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(120, "320x180")))
        {
            await StatusAsync(api, livestream.Id, "LIVE");
            await AnnouncedAsync(webhooks, "LIVE");
            var first = webhooks.Received.First(w => w.Event == RenditionUpdate).Json;
            Assert.Equal((livestream.Id, "180p", livestream.PlaybackUrl), (first.GetProperty("streamId").GetString(), first.GetProperty("rendition").GetString(), first.GetProperty("playbackUrl").GetString()));
            Assert.True(first.TryGetProperty("since", out _), first.ToString());

            int pid = server.App.Services.GetRequiredService<RenditionTranscoders>().ProcessIdOf(livestream.Id)!.Value;
            await ExternalProcess.SignalAsync(pid, "STOP");
            try
            {
                await StatusAsync(api, livestream.Id, "LAGGING");
                await AnnouncedAsync(webhooks, "LAGGING");
            }
            finally
            {
                await ExternalProcess.SignalAsync(pid, "CONT");
            }

            await StatusAsync(api, livestream.Id, "LIVE");
            await AnnouncedAsync(webhooks, "LIVE", after: "LAGGING");
        }

        // Not live (the publisher was killed, so the broadcast ends in error): no encodes to show; their end with the
        // broadcast is livestreaming.statusUpdate's to tell.
        var ended = await api.WaitForStatusAsync(livestream.Id, "ERRORED");
        Assert.Equal(JsonValueKind.Null, RenditionStatus(ended));
        // Each change announced once, in order: LIVE and LAGGING take turns (a busy machine may make the encode lag by
        // itself too, even before it is first live), and the last is LIVE.
        var told = webhooks.Received.Where(w => w.Event == RenditionUpdate).Select(w => w.Json.GetProperty("status").GetString()).ToList();
        Assert.True(told.Count >= 3 && told[^1] == "LIVE" && told.Contains("LAGGING") && told.Zip(told.Skip(1)).All(pair => pair.First != pair.Second),
            string.Join(", ", told));
    }

    private static JsonValueKind RenditionStatus(JsonElement data) =>
        data.GetProperty("livestream").TryGetProperty("rendition_status", out var status) ? status.ValueKind : JsonValueKind.Null;

    private static Task StatusAsync(StagecastApiClient api, string id, string status) =>
        Eventually.MatchAsync(() => api.GetLivestreamAsync(id), d =>
            d.GetProperty("livestream").GetProperty("rendition_status") is { ValueKind: JsonValueKind.Array } list
            && list.EnumerateArray().Select(r => (r.GetProperty("name").GetString(), r.GetProperty("status").GetString())).SequenceEqual([("180p", status)]),
            $"the 180p rendition {status} on the livestream");

    /// <summary>Waits until <paramref name="status"/> is announced (after an announcement of <paramref name="after"/>, when named).</summary>
    private static Task AnnouncedAsync(WebhookReceiver webhooks, string status, string? after = null) =>
        webhooks.WaitForAsync(received =>
        {
            var told = received.Where(w => w.Event == RenditionUpdate).Select(w => w.Json.GetProperty("status").GetString()).ToList();
            return told.LastIndexOf(status) > (after is null ? -1 : told.LastIndexOf(after));
        });
}
