using System.Net;
using System.Net.Sockets;
using Stagecast.Testing;

namespace Stagecast.Server.Tests;

/// <summary>What a new user tripped on the first day: ports in use, command-line typos, two servers on one data directory.</summary>
[Trait(ContractSuite.Trait, ContractSuite.Name)]
public sealed class FirstDayTests
{
    private static readonly TimeSpan ExitWithin = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("--http-port", false)]
    [InlineData("--rtmp-port", true)]
    [InlineData("--metrics-bind", false)]
    [InlineData("--webrtc-port", true)]
    public async Task APortInUseEndsTheFirstStartWithOneLineLeavesNoFilesAndLosesNoCredentials(string busyFlag, bool dataDirExists)
    {
        // Another program holds one port (a second server on this machine would hold them all).
        using var squatter = new Socket(busyFlag == "--webrtc-port" ? SocketType.Dgram : SocketType.Stream, busyFlag == "--webrtc-port" ? ProtocolType.Udp : ProtocolType.Tcp);
        squatter.Bind(new IPEndPoint(busyFlag == "--webrtc-port" ? IPAddress.Any : IPAddress.Loopback, 0));
        if (squatter.SocketType == SocketType.Stream)
        {
            squatter.Listen();
        }

        int busy = ((IPEndPoint)squatter.LocalEndPoint!).Port;
        // The data directory this start makes, or one that holds the operator's own file.
        string dataDir = Path.Combine(Directory.CreateTempSubdirectory("stagecast-busy-").FullName, "data");
        if (dataDirExists)
        {
            Directory.CreateDirectory(dataDir);
            await File.WriteAllTextAsync(Path.Combine(dataDir, "notes.txt"), "mine");
        }

        var ports = new Dictionary<string, string>
        {
            ["--http-port"] = FreePorts.Next().ToString(),
            ["--rtmp-port"] = FreePorts.Next().ToString(),
            ["--metrics-bind"] = "127.0.0.1:0",
            ["--webrtc-port"] = "0",
            // ICE-TCP on its own port: by default it shares the UDP port's number, and a TCP client socket of this busy
            // machine may hold that number, which the line would rightly name as well.
            ["--webrtc-tcp-port"] = FreePorts.Next().ToString(),
            ["--srt-port"] = "0",
        };
        ports[busyFlag] = busyFlag == "--metrics-bind" ? $"127.0.0.1:{busy}" : busy.ToString();

        var (exitCode, output, error) = await ExternalProcess.RunAsync("dotnet",
            [ServerProcess.ServerDll, "--bind", "127.0.0.1", "--data-dir", dataDir, .. ports.SelectMany(p => new[] { p.Key, p.Value })], ExitWithin);

        Assert.Equal(2, exitCode);
        string line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("stagecast: cannot listen", line);
        Assert.Contains($"port {busy} ({busyFlag}) is in use", line); // the busy one, by its flag, and no other
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(line, @"port \d+ \("));
        Assert.Contains("--webrtc-port 0", line);
        Assert.DoesNotContain("Stagecast is set up", output);

        // The refused start left nothing behind (it left the database, the keys and the lock).
        if (dataDirExists)
        {
            Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(dataDir).Select(Path.GetFileName));
        }
        else
        {
            Assert.False(Directory.Exists(dataDir), $"the refused start left {dataDir}");
        }

        // Nothing was created that nobody was shown: the next start is still the first, and prints a working token.
        squatter.Close();
        await using var server = await ServerProcess.StartAsync(dataDir);
        // Healthy may come before the test has read the printed lines off the pipe.
        await Eventually.TrueAsync(() => System.Text.RegularExpressions.Regex.IsMatch(server.Process.StandardOutput, "token: +sct_"), "the first start's token printed");
        Assert.Contains("Stagecast is set up", server.Process.StandardOutput);
    }

    [Theory]
    [InlineData("Stagecast:Realtime:MessagesPerSecond=0", "MessagesPerSecond")]
    [InlineData("Stagecast:Webhooks:Timeout=-00:00:01", "Timeout")]
    [InlineData("Stagecast:WebRtc:Port=70000", "Port")]
    [InlineData("Stagecast:Http:MaxConnections=0", "MaxConnections")]
    public async Task ASettingOutOfRangeEndsTheStartWithOneLineNamingIt(string setting, string name)
    {
        string dataDir = Directory.CreateTempSubdirectory("stagecast-settings-").FullName;
        var (exitCode, output, error) = await ExternalProcess.RunAsync("dotnet",
            [ServerProcess.ServerDll, "--bind", "127.0.0.1", "--data-dir", dataDir, "--http-port", FreePorts.Next().ToString(),
             "--rtmp-port", FreePorts.Next().ToString(), "--webrtc-port", "0", "--srt-port", "0", "--metrics-bind", "127.0.0.1:0", "--set", setting], ExitWithin);

        Assert.Equal(2, exitCode);
        string line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("stagecast: ", line);
        Assert.Matches($@"\.{name} must be", line); // "…Options.Timeout must be a duration from …"
        Assert.DoesNotContain("Stagecast is set up", output);
    }

    [Theory]
    [InlineData("help")]
    [InlineData("acounts", "list")]
    [InlineData("--verbose")]
    [InlineData("--http-port", "8080", "extra")]
    [InlineData("tokens", "frobnicate")]
    public async Task UnknownCommandsAndFlagsAreRefusedWithUsage(params string[] args)
    {
        // None of these may start a server (which would hold the default ports until the timeout).
        var (exitCode, output, error) = await ExternalProcess.RunAsync("dotnet", [ServerProcess.ServerDll, .. args], ExitWithin);

        Assert.Equal(2, exitCode);
        Assert.StartsWith("stagecast: ", error);
        Assert.Contains("Usage:", error);
        Assert.DoesNotContain("listening", output + error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task HelpAndVersionAnswerAndExit()
    {
        var (helpExit, help, _) = await ExternalProcess.RunAsync("dotnet", [ServerProcess.ServerDll, "--help"], ExitWithin);
        Assert.Equal(0, helpExit);
        Assert.Contains("--http-port", help);
        Assert.Contains("tokens", help);

        var (tokensExit, tokensHelp, _) = await ExternalProcess.RunAsync("dotnet", [ServerProcess.ServerDll, "tokens", "create", "--help"], ExitWithin);
        Assert.Equal(0, tokensExit);
        Assert.Contains("--account", tokensHelp);

        var (versionExit, version, _) = await ExternalProcess.RunAsync("dotnet", [ServerProcess.ServerDll, "--version"], ExitWithin);
        Assert.Equal(0, versionExit);
        Assert.Matches(@"^\d+\.\d+\.\d+", version);
    }

    [Fact]
    public async Task ASecondServerOnTheSameDataDirectoryRefusesAndNamesTheFirst()
    {
        await using var first = await ServerProcess.StartAsync();
        var api = await ProcessTests.ApiOfAsync(first);
        var livestream = await api.CreateLivestreamAsync();
        await using var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(60));
        await api.WaitForStatusAsync(livestream.Id, "LIVE");

        var (exitCode, _, error) = await ExternalProcess.RunAsync("dotnet",
            [ServerProcess.ServerDll, "--bind", "127.0.0.1", "--data-dir", first.DataDir, "--http-port", FreePorts.Next().ToString(),
             "--rtmp-port", FreePorts.Next().ToString(), "--webrtc-port", "0", "--srt-port", "0", "--metrics-bind", "127.0.0.1:0"], ExitWithin);

        Assert.Equal(2, exitCode);
        Assert.Contains($"in use by another Stagecast server (pid {first.Process.Id})", error);

        // The first server's live session was left alone: still live, not ended as "left open by an unclean stop".
        var details = await api.GetLivestreamAsync(livestream.Id);
        Assert.Equal("LIVE", details.GetProperty("livestream").GetProperty("status").GetString());
        var session = details.GetProperty("session");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, session.GetProperty("stopped_time").ValueKind);
    }

    [Fact]
    public async Task TheLogHasOneLinePerPublishStartEndRefusalAndShutdown()
    {
        await using var server = await ServerProcess.StartAsync();
        var api = await ProcessTests.ApiOfAsync(server);
        var livestream = await api.CreateLivestreamAsync("first-day");
        string rtmp = $"rtmp://127.0.0.1:{server.RtmpPort}";

        await using (var shortPublish = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(3, "320x180")))
        {
            await api.WaitForStatusAsync(livestream.Id, "LIVE");
            Assert.Equal(0, await shortPublish.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            await api.WaitForStatusAsync(livestream.Id, "IDLE");
        }

        await using (var wrongApp = Ffmpeg.Publish($"{rtmp}/tv/{livestream.StreamKey}", Ffmpeg.VideoOnly(2)))
        await using (var wrongKey = Ffmpeg.Publish($"{rtmp}/live/not-a-key", Ffmpeg.VideoOnly(2)))
        {
            Assert.NotEqual(0, await wrongApp.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.NotEqual(0, await wrongKey.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }

        await using var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(60, "320x180"));
        await api.WaitForStatusAsync(livestream.Id, "LIVE");
        // The second broadcast's start line (it waits for the tracks); the first broadcast had one too.
        await Eventually.TrueAsync(() => System.Text.RegularExpressions.Regex.Count(server.Output, "is live:") >= 2, "the start line of the second broadcast");
        await server.Process.InterruptAsync();
        Assert.Equal(0, await server.Process.WaitForExitAsync(TimeSpan.FromSeconds(15)));

        string log = server.Output;
        string live = $"Livestream \"first-day\" ({livestream.Id}) is live: rtmp from 127.0.0.1:";
        Assert.Equal(2, Count(log, live));
        Assert.Contains("H.264 320x180, AAC 48 kHz mono", log);
        Assert.Matches($@"info: \S+ Livestream ""first-day"" \({livestream.Id}\) ended after 00:00:0\d: unpublished", log);
        Assert.Contains($"({livestream.Id}) ended after", log);
        Assert.Contains("connect refused: unknown application 'tv' (expected 'live')", log);
        Assert.Contains("publish refused for key", log);
        Assert.Contains("unknown stream key", log);
        Assert.Contains("Stagecast is shutting down: ending 1 live stream\n", log.ReplaceLineEndings("\n"));
        Assert.Matches($@"\({livestream.Id}\) ended after 00:00:\d\d: server shutting down", log);
        Assert.Contains("Stagecast stopped", log);

        // A normal unpublish and a shutdown warn of nothing; only the two refusals do. Nobody waits to reconnect.
        Assert.Equal(2, Count(log, "warn:"));
        Assert.DoesNotContain("reconnect", log);
        Assert.DoesNotContain(livestream.StreamKey, log);
    }

    private static int Count(string text, string value)
    {
        int count = 0;
        for (int at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    [Fact]
    public async Task DotnetRunKeepsTheDataWhereTheUserStandsAndGitNeverSeesIt()
    {
        string root = Browser.RepositoryRoot();
        string configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        string here = Directory.CreateTempSubdirectory("stagecast-cwd-").FullName;
        var (exitCode, output, error) = await ExternalProcess.RunAsync("dotnet",
            ["run", "--project", Path.Combine(root, "src", "Stagecast.Server"), "-c", configuration, "--no-build", "--", "accounts", "list"], ExitWithin, here);
        Assert.True(exitCode == 0, $"{output} {error}");
        Assert.True(File.Exists(Path.Combine(here, "data", "stagecast.db")), "the data directory is not where dotnet run was started");
        Assert.False(Directory.Exists(Path.Combine(root, "src", "Stagecast.Server", "data")));

        // Wherever a server ran, its data directory, keys and database are ignored by git.
        foreach (string path in new[] { "data/secret.key", "src/Stagecast.Server/data/stagecast.db", "elsewhere/webhooks.key", "x/stagecast.db-wal", "y/stagecast.lock" })
        {
            var (ignored, _, _) = await ExternalProcess.RunAsync("git", ["-C", root, "check-ignore", "-q", "--no-index", path], ExitWithin);
            Assert.True(ignored == 0, $"git would commit {path}");
        }
    }
}
