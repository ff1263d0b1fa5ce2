using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;

namespace Stagecast.Server.Tests;

/// <summary>The server as an operator runs it: a separate process, flags, environment, first start, CLI, signals.</summary>
public sealed partial class ProcessTests
{
    [Fact]
    public async Task FirstStartPrintsIdsTokenAndAWorkingCurl()
    {
        await using var server = await ServerProcess.StartAsync();
        var printed = FirstStart().Match(server.Process.StandardOutput);
        Assert.True(printed.Success, server.Output);

        // The printed token works, for the printed account and app, with the printed URL.
        using var http = new HttpClient { BaseAddress = new Uri(server.HttpBase) };
        var api = new StagecastApiClient(http, printed.Groups["account"].Value, printed.Groups["app"].Value, printed.Groups["token"].Value);
        var livestream = await api.CreateLivestreamAsync("first");
        Assert.StartsWith($"rtmp://127.0.0.1:{server.RtmpPort}/live", livestream.IngestServer);
        Assert.Contains($"curl -X POST '{server.HttpBase}/client/v4/accounts/{api.AccountId}/realtime/kit/{api.AppId}/livestreams'", server.Process.StandardOutput);
        Assert.DoesNotContain(livestream.StreamKey, server.Output); // keys are never logged in full
    }

    [Fact]
    public async Task IdentitiesComeFromTheEnvironmentAndAreNotPrinted()
    {
        var environment = new Dictionary<string, string>
        {
            ["STAGECAST_ACCOUNT_ID"] = "acct-1",
            ["STAGECAST_APP_ID"] = "app-1",
            ["STAGECAST_API_TOKEN"] = "sct_test_token_from_environment_0123456789",
        };
        await using var server = await ServerProcess.StartAsync(environment: environment);
        using var http = new HttpClient { BaseAddress = new Uri(server.HttpBase) };
        var api = new StagecastApiClient(http, "acct-1", "app-1", environment["STAGECAST_API_TOKEN"]);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/livestreams")).Status);
        Assert.DoesNotContain(environment["STAGECAST_API_TOKEN"], server.Output);
    }

    [Fact]
    public async Task TokensCanBeCreatedAndRevokedFromTheCommandLine()
    {
        await using var server = await ServerProcess.StartAsync();
        string account = FirstStart().Match(server.Process.StandardOutput).Groups["account"].Value;
        string app = FirstStart().Match(server.Process.StandardOutput).Groups["app"].Value;

        var (created, output, error) = await ServerProcess.CommandAsync(server.DataDir, "tokens", "create", "--account", account, "--name", "ci");
        Assert.True(created == 0, error);
        string token = Regex.Match(output, @"token:\s+(sct_\w+)").Groups[1].Value;
        string tokenId = Regex.Match(output, @"token id: (\S+)").Groups[1].Value;

        using var http = new HttpClient { BaseAddress = new Uri(server.HttpBase) };
        var api = new StagecastApiClient(http, account, app, token);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/livestreams")).Status); // the running server accepts it at once

        var (appCreated, appOutput, _) = await ServerProcess.CommandAsync(server.DataDir, "apps", "create", "--account", account, "--name", "second");
        Assert.Equal(0, appCreated);
        var second = new StagecastApiClient(http, account, appOutput.Trim(), token);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/livestreams")).Status);

        Assert.Equal(0, (await ServerProcess.CommandAsync(server.DataDir, "tokens", "revoke", tokenId)).ExitCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/livestreams")).Status);
        var (listed, listOutput, _) = await ServerProcess.CommandAsync(server.DataDir, "tokens", "list", "--account", account);
        Assert.Equal(0, listed);
        Assert.Contains("revoked", listOutput);
        Assert.DoesNotContain(token, listOutput); // only a prefix is ever shown again
    }

    [Fact]
    public async Task PortsComeFromFlagsAndEnvironment()
    {
        int http = FreePorts.Next();
        int rtmp = FreePorts.Next();
        string dataDir = Directory.CreateTempSubdirectory("stagecast-process-").FullName;
        await using var process = ExternalProcess.Start("dotnet",
            [ServerProcess.ServerDll, "--bind", "127.0.0.1", "--data-dir", dataDir, "--rtmp-port", rtmp.ToString(), "--webrtc-port", "0", "--srt-port", "0", "--metrics-bind", "127.0.0.1:0"],
            new Dictionary<string, string> { ["STAGECAST_HTTP_PORT"] = http.ToString() });
        using var client = new HttpClient();
        await WaitUntilAsync(async () =>
        {
            try
            {
                return (await client.GetAsync($"http://127.0.0.1:{http}/healthz")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        });

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, rtmp);
        Assert.True(tcp.Connected);
        Assert.True(File.Exists(Path.Combine(dataDir, "stagecast.db")));
    }

    [Fact]
    public async Task CtrlCStopsCleanlyAndClosesPublishers()
    {
        await using var server = await ServerProcess.StartAsync();
        var api = await ApiOfAsync(server);
        var livestream = await api.CreateLivestreamAsync();
        await using var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(60));
        await api.WaitForStatusAsync(livestream.Id, "LIVE");

        await server.Process.InterruptAsync();
        Assert.Equal(0, await server.Process.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        await publisher.WaitForExitAsync(TimeSpan.FromSeconds(15)); // the publisher was disconnected

        Assert.Matches($@"\({livestream.Id}\) ended after \d\d:\d\d:\d\d: server shutting down", server.Output);
        Assert.DoesNotContain(livestream.StreamKey, server.Output); // the key is logged only as a prefix
        Assert.DoesNotContain("Exception", server.Output);
        Assert.DoesNotContain("fail:", server.Output);

        // The session was closed cleanly on the way out.
        await using var again = await ServerProcess.StartAsync(server.DataDir);
        var session = (await api.With(again).GetLivestreamAsync(livestream.Id)).GetProperty("session");
        Assert.NotEqual(JsonValueKindNull, session.GetProperty("stopped_time").ValueKind);
        Assert.Equal(JsonValueKindNull, session.GetProperty("err_message").ValueKind);
    }

    [Fact]
    public async Task CtrlCWithAMeetingLiveSaysWhatItEndsAndWaitsForNoReconnectAndLaterStartsShowTheDashboard()
    {
        await using var server = await ServerProcess.StartAsync(arguments: ["--webrtc-bind", "0.0.0.0"]);
        var api = await ApiOfAsync(server);
        string meeting = await api.CreateMeetingAsync("""{"title":"Stand-up"}""");
        await using var browser = await Browser.LaunchAsync(Browser.WebRtcArgs);
        var host = await MeetingPage.JoinAsync(browser, server.HttpBase, await api.AddParticipantAsync(meeting, "host", "livestream_host"));
        await host.PublishAsync();
        await host.WaitForPeerMediaAsync(host.PeerId, video: true, audio: true);
        // Two participants watching each other and a track recording: tracks with readers, which at shutdown used to
        // lose their publishers before the meeting ended ("waiting 5 s for it to reconnect").
        var guest = await MeetingPage.JoinAsync(browser, server.HttpBase, await api.AddParticipantAsync(meeting, "guest"));
        await guest.PublishAsync();
        await guest.SubscribeAsync(host.PeerId);
        await host.SubscribeAsync(guest.PeerId);
        (await api.PostAsync("/recordings/track", $$"""{"meeting_id":"{{meeting}}"}""")).EnsureOk();
        string livestream = (await api.PostAsync($"/meetings/{meeting}/livestreams")).EnsureOk().Data.GetProperty("id").GetString()!;
        await api.WaitForStatusAsync(livestream, "LIVE");

        await server.Process.InterruptAsync();
        Assert.Equal(0, await server.Process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("Stagecast is shutting down: ending 1 live stream, 1 meeting with 2 participants", server.Output);
        Assert.DoesNotContain("to reconnect", server.Output); // a participant's track going away at shutdown is not a dropped publisher

        await using var again = await ServerProcess.StartAsync(server.DataDir);
        Assert.DoesNotContain("Stagecast is set up", again.Output);
        Assert.Contains($"Dashboard: {again.HttpBase}/dashboard", again.Output);
    }

    [Fact]
    public async Task WhatWasCommittedSurvivesKillMinusNine()
    {
        await using var server = await ServerProcess.StartAsync(arguments: ["--set", "Stagecast:Sessions:FlushInterval=00:00:01"]);
        var api = await ApiOfAsync(server);
        var kept = await api.CreateLivestreamAsync("kept");
        var livestream = await api.CreateLivestreamAsync("live-when-killed");
        await using var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(60));
        // A few flushes of the session figures (every second): 4 s of media seen live means at least 3 written.
        await Eventually.MatchAsync(() => api.GetLivestreamAsync(livestream.Id),
            d => d.GetProperty("session") is { ValueKind: System.Text.Json.JsonValueKind.Object } session && session.GetProperty("ingest_seconds").GetInt64() >= 4,
            "4 s of media");

        await ExternalProcess.SignalAsync(server.Process.Id, "KILL");
        await server.Process.WaitForExitAsync(TimeSpan.FromSeconds(10));

        await using var again = await ServerProcess.StartAsync(server.DataDir);
        var restarted = api.With(again);
        Assert.Equal("kept", (await restarted.GetLivestreamAsync(kept.Id)).GetProperty("livestream").GetProperty("name").GetString());
        var details = await restarted.GetLivestreamAsync(livestream.Id);
        Assert.Equal("ERRORED", details.GetProperty("livestream").GetProperty("status").GetString());
        var session = details.GetProperty("session");
        Assert.Equal("the server stopped while this session was live", session.GetProperty("err_message").GetString());
        Assert.InRange(session.GetProperty("ingest_seconds").GetInt64(), 2, 8);
        Assert.Contains("left open by an unclean stop", again.Output);
    }

    [Fact]
    public async Task InvalidSettingIsAClearStartupError()
    {
        await using var process = ExternalProcess.Start("dotnet", [ServerProcess.ServerDll, "--http-port", "70000"]);
        Assert.Equal(2, await process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("stagecast: The field ServerOptions.HttpPort must be between 0 and 65535.", process.StandardError);
        Assert.DoesNotContain("   at ", process.StandardError); // no stack trace
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;

    /// <summary>An API client for the identities a first start printed.</summary>
    internal static Task<StagecastApiClient> ApiOfAsync(ServerProcess server)
    {
        var printed = FirstStart().Match(server.Process.StandardOutput);
        Assert.True(printed.Success, server.Output);
        var http = new HttpClient { BaseAddress = new Uri(server.HttpBase) };
        return Task.FromResult(new StagecastApiClient(http, printed.Groups["account"].Value, printed.Groups["app"].Value, printed.Groups["token"].Value));
    }

    private static Task WaitUntilAsync(Func<Task<bool>> condition) => Eventually.TrueAsync(condition, "the condition");

    [GeneratedRegex(@"account:\s+(?<account>\S+)\s+app:\s+(?<app>\S+)\s+token:\s+(?<token>sct_\w+)")]
    private static partial Regex FirstStart();
}

internal static class ApiClientExtensions
{
    /// <summary>The same tenant against another server process (after a restart).</summary>
    public static StagecastApiClient With(this StagecastApiClient api, ServerProcess server) =>
        api.WithBase(server.HttpBase);
}
