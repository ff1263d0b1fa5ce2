using System.Text.Json;
using Stagecast.Testing;

namespace Stagecast.Server.Tests;

/// <summary>A restart on the same data directory finds everything as it was.</summary>
public sealed class RestartTests
{
    [Fact]
    public async Task EverythingIsAsItWasAfterARestart()
    {
        var environment = new Dictionary<string, string>
        {
            ["STAGECAST_ACCOUNT_ID"] = "restart-account",
            ["STAGECAST_APP_ID"] = "restart-app",
            ["STAGECAST_API_TOKEN"] = "sct_restart_test_token_0123456789abcdefgh",
        };
        string before;
        string dataDir;
        CreatedLivestream streamed;
        await using (var server = await ServerProcess.StartAsync(environment: environment))
        {
            dataDir = server.DataDir;
            var api = ApiOf(server, environment);
            await api.CreateLivestreamAsync("first");
            streamed = await api.CreateLivestreamAsync("second");
            await using (var publisher = Ffmpeg.Publish(streamed.PublishUrl, Ffmpeg.AudioVideo(4)))
            {
                await api.WaitForStatusAsync(streamed.Id, "LIVE");
                Assert.Equal(0, await publisher.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            }

            // IDLE comes with the session stopped (the two are shown together); analytics read what is written, so the
            // snapshot waits until the session's end is in the database.
            string sessionId = (await api.WaitForStatusAsync(streamed.Id, "IDLE")).GetProperty("session").GetProperty("id").GetString()!;
            await Eventually.TrueAsync(() => SessionEndWritten(dataDir, sessionId), "the session's end in the database");
            before = await SnapshotAsync(api, streamed.Id);
            await server.Process.InterruptAsync();
            await server.Process.WaitForExitAsync(TimeSpan.FromSeconds(15));
        }

        await using var again = await ServerProcess.StartAsync(dataDir, environment);
        var restarted = ApiOf(again, environment);
        Assert.Equal(before, await SnapshotAsync(restarted, streamed.Id));

        // The stored key still publishes (its encryption key survived too).
        await using var publisherAgain = Ffmpeg.Publish(
            (await restarted.GetLivestreamAsync(streamed.Id)).GetProperty("livestream").GetProperty("ingest_server").GetString() + "/" + streamed.StreamKey,
            Ffmpeg.AudioVideo(10));
        await restarted.WaitForStatusAsync(streamed.Id, "LIVE");
    }

    private static StagecastApiClient ApiOf(ServerProcess server, Dictionary<string, string> environment) =>
        new(new HttpClient { BaseAddress = new Uri(server.HttpBase) }, environment["STAGECAST_ACCOUNT_ID"], environment["STAGECAST_APP_ID"], environment["STAGECAST_API_TOKEN"]);

    private static bool SessionEndWritten(string dataDir, string sessionId)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(dataDir, "stagecast.db")};Mode=ReadOnly");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT stopped_time IS NOT NULL FROM livestream_sessions WHERE id = $id";
        command.Parameters.AddWithValue("$id", sessionId);
        return command.ExecuteScalar() is long written && written == 1;
    }

    /// <summary>What the API says, minus the URLs (the restarted server listens on other ports).</summary>
    private static async Task<string> SnapshotAsync(StagecastApiClient api, string livestreamId)
    {
        var list = (await api.GetAsync("/livestreams?sort_order=ASC")).EnsureOk().Body;
        var details = await api.GetLivestreamAsync(livestreamId);
        var analytics = (await api.GetAsync("/analytics/livestreams/overall")).EnsureOk().Data;
        return string.Join('\n', new[] { list.ToString(), details.ToString(), analytics.ToString() }
            .Select(json => System.Text.RegularExpressions.Regex.Replace(json, "(rtmp|http|srt)://127\\.0\\.0\\.1:\\d+", "URL")));
    }
}
