using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Stagecast.Testing;
using Stagecast.Transcoding;

namespace Stagecast.Server.Tests.Transcoding;

/// <summary>
/// Issue 51: encodes had no limit (one app ran 24 at once). An account's livestreams share
/// <c>Stagecast:Transcode:MaxRenditionsPerAccount</c>, whatever app they are of, and the server runs
/// <c>MaxRenditions</c> at most: a broadcast past either goes live with its source alone, its renditions
/// <c>REFUSED</c> with the limit named, and a log line says so.
/// </summary>
public sealed class RenditionQuotaTests
{
    [Fact]
    public async Task ABroadcastPastTheAccountsOrTheServersEncodesPlaysItsSourceAloneAndSaysWhy()
    {
        var logs = new CapturedLogs();
        await using var own = (await ServerFixture.StartAsync(
                ["--set", "Stagecast:Transcode:MaxRenditionsPerAccount=1", "--set", "Stagecast:Transcode:MaxRenditions=2"],
                builder => builder.Logging.AddProvider(logs)))
            .AsAsyncDisposable(out var server);
        var first = await server.NewTenantAsync();
        var second = await server.AnotherAppAsync(first);

        // The account's one encode goes to the first broadcast; its other app's broadcast plays its source alone.
        var encoded = await first.CreateLivestreamAsync(renditions: ["180p"]);
        await using var publisher = Ffmpeg.Publish(encoded.PublishUrl, Ffmpeg.AudioVideo(120, "320x180"));
        await StatusAsync(first, encoded.Id, "LIVE");
        var alone = await second.CreateLivestreamAsync(renditions: ["180p"]);
        await using var refused = Ffmpeg.Publish(alone.PublishUrl, Ffmpeg.AudioVideo(120, "320x180"));
        var status = await StatusAsync(second, alone.Id, "REFUSED");
        Assert.Contains("Stagecast:Transcode:MaxRenditionsPerAccount", status.GetProperty("reason").GetString());
        await server.WaitUntilPlayableAsync(alone.PlaybackUrl);
        Assert.DoesNotContain("180p", await server.Http.GetStringAsync(alone.PlaybackUrl));
        Assert.Contains(logs.Lines, l => l.Message.Contains($"Stream {alone.Id}: renditions 180p are not encoded, the source plays alone", StringComparison.Ordinal));

        // Another account has an encode of its own, and takes the server's second; a third account's is refused.
        var other = await server.NewTenantAsync();
        var otherStream = await other.CreateLivestreamAsync(renditions: ["180p"]);
        await using (Ffmpeg.Publish(otherStream.PublishUrl, Ffmpeg.AudioVideo(120, "320x180")))
        {
            await StatusAsync(other, otherStream.Id, "LIVE");
            var stranger = await server.NewTenantAsync();
            var strangerStream = await stranger.CreateLivestreamAsync(renditions: ["180p"]);
            await using (Ffmpeg.Publish(strangerStream.PublishUrl, Ffmpeg.AudioVideo(120, "320x180")))
            {
                var full = await StatusAsync(stranger, strangerStream.Id, "REFUSED");
                Assert.Contains("Stagecast:Transcode:MaxRenditions)", full.GetProperty("reason").GetString());
            }
        }

        // The first broadcast ends and gives its encode back: the other app's next broadcast has its rendition (each
        // publisher is disposed twice: here, and at the end should an assertion fail before).
        await publisher.DisposeAsync();
        await refused.DisposeAsync();
        await first.WaitForStatusAsync(encoded.Id, "ERRORED");
        await second.WaitForStatusAsync(alone.Id, "ERRORED");
        // Given back as the source's reader sees its end, which on a busy machine can come a moment after the status.
        var quota = server.App.Services.GetRequiredService<RenditionQuota>();
        await Eventually.TrueAsync(() => quota.Encodes(first.AccountId) == 0, "the first account's encode to be given back", TimeSpan.FromSeconds(10));
        await using (Ffmpeg.Publish(alone.PublishUrl, Ffmpeg.AudioVideo(120, "320x180")))
        {
            await StatusAsync(second, alone.Id, "LIVE");
        }
    }

    /// <summary>Waits until the livestream's one encode, 180p, has this status, and gives its entry.</summary>
    private static async Task<JsonElement> StatusAsync(StagecastApiClient api, string id, string status)
    {
        var data = await Eventually.MatchAsync(() => api.GetLivestreamAsync(id), d =>
            d.GetProperty("livestream").GetProperty("rendition_status") is { ValueKind: JsonValueKind.Array } list
            && list.EnumerateArray().Select(r => (r.GetProperty("name").GetString(), r.GetProperty("status").GetString())).SequenceEqual([("180p", status)]),
            $"the 180p rendition {status} on livestream {id}", TimeSpan.FromSeconds(60)); // a publisher's ffmpeg took over 30 s to go live once, beside a build
        return data.GetProperty("livestream").GetProperty("rendition_status")[0];
    }
}
