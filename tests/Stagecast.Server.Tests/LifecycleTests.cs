using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.Rtmp.Client;
using Stagecast.Testing;

namespace Stagecast.Server.Tests;

/// <summary>Livestream lifecycle end to end: REST API, ffmpeg publishing, HLS playback, sessions and analytics.</summary>
public sealed class LifecycleTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task CreatePublishPlayStopAndReadTheSessionBack()
    {
        var api = await server.NewTenantAsync();
        var livestream = await api.CreateLivestreamAsync("e2e");
        await using var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(10));
        var live = await api.WaitForStatusAsync(livestream.Id, "LIVE");
        string sessionId = live.GetProperty("session").GetProperty("id").GetString()!;

        var active = (await api.GetAsync($"/livestreams/{livestream.Id}/active-livestream-session")).EnsureOk().Data;
        Assert.Equal(sessionId, active.GetProperty("session").GetProperty("id").GetString());
        Assert.Equal("LIVE", active.GetProperty("livestream").GetProperty("status").GetString());

        await server.WaitUntilPlayableAsync(livestream.PlaybackUrl);
        Assert.Equal(0, (await Ffmpeg.DecodeAsync(livestream.PlaybackUrl, 3)).ExitCode);
        Assert.Equal(0, await publisher.WaitForExitAsync(TimeSpan.FromSeconds(30)));

        var details = await api.WaitForStatusAsync(livestream.Id, "IDLE");
        await server.SessionsWrittenAsync();
        var session = (await api.GetAsync($"/livestreams/sessions/{sessionId}")).EnsureOk().Data;
        var started = session.GetProperty("started_time").GetDateTimeOffset();
        var stopped = session.GetProperty("stopped_time").GetDateTimeOffset();
        Assert.True(stopped - started >= TimeSpan.FromSeconds(8), $"{stopped - started}"); // 10 s sent in real time
        Assert.InRange(session.GetProperty("ingest_seconds").GetInt64(), 9, 11); // 10 s were sent
        Assert.True(session.GetProperty("viewer_seconds").GetInt64() > 0);
        Assert.Equal(JsonValueKind.Null, session.GetProperty("err_message").ValueKind);
        Assert.Equal(sessionId, details.GetProperty("session").GetProperty("id").GetString());
        Assert.Single(details.GetProperty("sessions").EnumerateArray());
        Assert.Equal(HttpStatusCodeNotFound, (await api.GetAsync($"/livestreams/{livestream.Id}/active-livestream-session")).Status);

        var overall = (await api.GetAsync("/analytics/livestreams/overall")).EnsureOk().Data;
        Assert.Equal(1, overall.GetProperty("count").GetInt64());
        Assert.Equal(session.GetProperty("ingest_seconds").GetInt64(), overall.GetProperty("total_ingest_seconds").GetInt64());
        Assert.Equal(session.GetProperty("viewer_seconds").GetInt64(), overall.GetProperty("total_viewer_seconds").GetInt64());
        var today = (await api.GetAsync("/analytics/livestreams/daywise")).EnsureOk().Data.EnumerateArray().Single();
        Assert.Equal(started.UtcDateTime.ToString("yyyy-MM-dd"), today.GetProperty("date").GetString());
        Assert.Equal(1, today.GetProperty("count").GetInt64());
        var none = (await api.GetAsync($"/analytics/livestreams/overall?end_time={started.AddMinutes(-1).ToUnixTimeSeconds()}")).EnsureOk().Data;
        Assert.Equal(0, none.GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task ReconnectWithinTheWindowContinuesTheSameSessionAndPlaylist()
    {
        var api = await server.NewTenantAsync();
        var livestream = await api.CreateLivestreamAsync();
        var first = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(60));
        string sessionId = (await api.WaitForStatusAsync(livestream.Id, "LIVE")).GetProperty("session").GetProperty("id").GetString()!;
        await server.WaitUntilPlayableAsync(livestream.PlaybackUrl);
        string mediaPlaylist = await server.MediaPlaylistUrlAsync(livestream.PlaybackUrl);
        var stream = await server.WaitForMediaAsync(livestream.Id, TimeSpan.FromSeconds(2));
        await first.DisposeAsync(); // killed: the connection drops without unpublishing

        await Eventually.TrueAsync(() => stream.State == Stagecast.Streaming.HubStreamState.Reconnecting, "the hub to notice the drop");
        Assert.Equal("LIVE", (await api.GetLivestreamAsync(livestream.Id)).GetProperty("livestream").GetProperty("status").GetString());
        await using var second = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(5));
        // The same playlist URL still works, and marks where the second publisher's media begins.
        await Eventually.MatchAsync(async () => ParsedPlaylist.Parse(await server.Http.GetStringAsync(mediaPlaylist)), p => p.Segments.Any(s => s.Discontinuity),
            "a discontinuity in the playlist");
        Assert.Equal(sessionId, (await api.GetAsync($"/livestreams/{livestream.Id}/active-livestream-session")).EnsureOk()
            .Data.GetProperty("session").GetProperty("id").GetString());

        Assert.Equal(0, await second.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var details = await api.WaitForStatusAsync(livestream.Id, "IDLE");
        await server.SessionsWrittenAsync();
        details = await api.GetLivestreamAsync(livestream.Id);
        var session = Assert.Single(details.GetProperty("sessions").EnumerateArray());
        Assert.Equal(sessionId, session.GetProperty("id").GetString());
        Assert.InRange(session.GetProperty("ingest_seconds").GetInt64(), 6, 10); // about 2 + 5 s of media
    }

    [Fact]
    public async Task PublisherThatNeverComesBackEndsTheSessionErrored()
    {
        var api = await server.NewTenantAsync();
        var livestream = await api.CreateLivestreamAsync();
        var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(60));
        await server.WaitForMediaAsync(livestream.Id, TimeSpan.FromSeconds(1));
        var droppedAt = DateTimeOffset.UtcNow;
        await publisher.DisposeAsync();

        var details = await api.WaitForStatusAsync(livestream.Id, "ERRORED", ServerFixture.ReconnectWindow + TimeSpan.FromSeconds(10));
        var erroredBy = DateTimeOffset.UtcNow;
        await server.SessionsWrittenAsync();
        var session = (await api.GetLivestreamAsync(livestream.Id)).GetProperty("session");
        Assert.Contains("did not reconnect", session.GetProperty("err_message").GetString());
        // The session stopped when the publisher dropped (after the kill), not when the window ran out (a window before
        // the status was seen ERRORED).
        var stopped = session.GetProperty("stopped_time").GetDateTimeOffset();
        Assert.InRange(stopped, droppedAt.AddMilliseconds(-1), erroredBy - ServerFixture.ReconnectWindow);
        Assert.Equal("ERRORED", details.GetProperty("livestream").GetProperty("status").GetString());
    }

    [Fact]
    public async Task SecondPublisherIsRefusedWhileTheFirstSendsAndTakesOverASilentOne()
    {
        var api = await server.NewTenantAsync();
        var livestream = await api.CreateLivestreamAsync();

        // A publisher that goes silent but keeps its connection open.
        await using var silent = await RtmpPublishClient.ConnectAsync(new Uri(livestream.IngestServer), CancellationToken.None);
        await silent.PublishAsync(livestream.IngestServer, "live", livestream.StreamKey, CancellationToken.None);
        await silent.SendVideoAsync(0, FlvBodies.AvcSequenceHeader(GoldenVectors.AvcRecord720p), CancellationToken.None);
        await api.WaitForStatusAsync(livestream.Id, "LIVE");

        // While it is fresh, another publisher is refused...
        await using var early = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(5));
        Assert.NotEqual(0, await early.WaitForExitAsync(TimeSpan.FromSeconds(20)));

        // ...once it has been silent for the stale timeout, a new publisher takes over.
        var stream = await server.LiveStreamAsync(livestream.Id);
        var staleAfter = server.App.Services.GetRequiredService<Stagecast.Streaming.StreamHub>().Options.StalePublisherTimeout;
        await Eventually.TrueAsync(() => stream.Publisher is { } p && p.SilentFor > staleAfter, "the first publisher to go stale");
        await using var takeover = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(20));
        await Assert.ThrowsAnyAsync<Exception>(() => silent.Completion.WaitAsync(TimeSpan.FromSeconds(20)));
        await server.WaitUntilPlayableAsync(livestream.PlaybackUrl);
        Assert.False(takeover.HasExited);
        Assert.Equal("LIVE", (await api.GetLivestreamAsync(livestream.Id)).GetProperty("livestream").GetProperty("status").GetString());
    }

    [Fact]
    public async Task DisablingStopsTheBroadcastAndRefusesPublishersUntilEnabled()
    {
        var api = await server.NewTenantAsync();
        var livestream = await api.CreateLivestreamAsync();
        await using var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(60));
        await api.WaitForStatusAsync(livestream.Id, "LIVE");

        (await api.SendAsync(HttpMethod.Put, $"/livestreams/{livestream.Id}/disable")).EnsureOk();
        await publisher.WaitForExitAsync(TimeSpan.FromSeconds(15)); // disconnected
        await api.WaitForStatusAsync(livestream.Id, "IDLE");

        await using var refused = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(5));
        Assert.NotEqual(0, await refused.WaitForExitAsync(TimeSpan.FromSeconds(20)));

        (await api.SendAsync(HttpMethod.Put, $"/livestreams/{livestream.Id}/enable")).EnsureOk();
        await using var again = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(10));
        await api.WaitForStatusAsync(livestream.Id, "LIVE");
    }

    [Fact]
    public async Task ResettingTheKeyDisconnectsThePublisherAndOnlyTheNewKeyWorks()
    {
        var api = await server.NewTenantAsync();
        var livestream = await api.CreateLivestreamAsync();
        await using var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(60));
        await api.WaitForStatusAsync(livestream.Id, "LIVE");

        string newKey = (await api.PostAsync($"/livestreams/{livestream.Id}/reset-stream-key")).EnsureOk().Data.GetProperty("stream_key").GetString()!;
        await publisher.WaitForExitAsync(TimeSpan.FromSeconds(15));
        await api.WaitForStatusAsync(livestream.Id, "IDLE");

        await using var oldKey = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(5));
        Assert.NotEqual(0, await oldKey.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        await using var withNewKey = Ffmpeg.Publish($"{livestream.IngestServer}/{newKey}", Ffmpeg.AudioVideo(10));
        await api.WaitForStatusAsync(livestream.Id, "LIVE");
    }

    [Fact]
    public async Task DeletingALiveLivestreamStopsItAndKeepsItsSessionInAnalytics()
    {
        var api = await server.NewTenantAsync();
        var livestream = await api.CreateLivestreamAsync();
        await using var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(60));
        await server.WaitForMediaAsync(livestream.Id, TimeSpan.FromSeconds(1.5));

        (await api.SendAsync(HttpMethod.Delete, $"/livestreams/{livestream.Id}")).EnsureOk();
        await publisher.WaitForExitAsync(TimeSpan.FromSeconds(15));
        await server.SessionsWrittenAsync();
        Assert.Equal(HttpStatusCodeNotFound, (await api.GetAsync($"/livestreams/{livestream.Id}")).Status);
        var overall = (await api.GetAsync("/analytics/livestreams/overall")).EnsureOk().Data;
        Assert.Equal(1, overall.GetProperty("count").GetInt64());
        Assert.True(overall.GetProperty("total_ingest_seconds").GetInt64() >= 1);
    }

    private const System.Net.HttpStatusCode HttpStatusCodeNotFound = System.Net.HttpStatusCode.NotFound;
}
