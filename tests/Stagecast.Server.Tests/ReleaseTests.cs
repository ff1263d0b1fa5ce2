using System.Net;
using Stagecast.Testing;

namespace Stagecast.Server.Tests;

/// <summary>The release: deploy/build-release.sh makes a single-file binary that runs without .NET, and a valid systemd unit.</summary>
[Collection(HeavyCollection.Name)]
public sealed class ReleaseTests
{
    [Fact]
    public async Task TheReleaseBinaryRunsOnItsOwnAndTheSystemdUnitVerifies()
    {
        string root = Browser.RepositoryRoot();
        string output = Directory.CreateTempSubdirectory("stagecast-release-").FullName;
        var (buildExit, built, buildErrors) = await ExternalProcess.RunAsync(Path.Combine(root, "deploy", "build-release.sh"), [output], TimeSpan.FromMinutes(8));
        Assert.True(buildExit == 0, $"build-release.sh failed: {built} {buildErrors}");
        string binary = built.Trim().Split('\n')[^1];
        Assert.Equal("stagecast", Path.GetFileName(binary));
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(binary)!, "stagecast.service")));
        Assert.Single(Directory.GetFiles(output, "stagecast-*-linux-x64.tar.gz"));

        var (versionExit, version, _) = await ExternalProcess.RunAsync(binary, ["--version"], TimeSpan.FromSeconds(60));
        Assert.Equal(0, versionExit);
        Assert.Matches(@"^\d+\.\d+\.\d+", version);

        // No "dotnet" on the command line: the binary carries its runtime, its web pages and its SQLite.
        var environment = new Dictionary<string, string> { ["DOTNET_BUNDLE_EXTRACT_BASE_DIR"] = Path.Combine(output, "bundle") };
        await using (var server = await ServerProcess.StartBinaryAsync(binary, environment))
        {
            var api = await ProcessTests.ApiOfAsync(server);
            var livestream = await api.CreateLivestreamAsync("from-the-release");
            using var http = new HttpClient { BaseAddress = new Uri(server.HttpBase) };
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/dashboard")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/watch/{livestream.Id}")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/assets/hls.min.js")).StatusCode);
            Assert.True(File.Exists(Path.Combine(server.DataDir, "stagecast.db")));
        }

        // The unit as shipped, pointed at this binary; systemd-analyze prints nothing when every line is understood.
        string unit = await File.ReadAllTextAsync(Path.Combine(root, "deploy", "stagecast.service"));
        Assert.Contains("ProtectSystem=strict", unit);
        Assert.Contains("User=stagecast", unit);
        Assert.Contains("--data-dir /var/lib/stagecast", unit);
        string check = Path.Combine(output, "stagecast.service");
        await File.WriteAllTextAsync(check, unit.Replace("/usr/local/bin/stagecast", binary, StringComparison.Ordinal));
        var (verifyExit, verifyOutput, verifyErrors) = await ExternalProcess.RunAsync("systemd-analyze", ["verify", check], TimeSpan.FromSeconds(60));
        Assert.True(verifyExit == 0 && verifyOutput.Trim().Length == 0 && verifyErrors.Trim().Length == 0, $"systemd-analyze verify: {verifyExit} {verifyOutput} {verifyErrors}");
    }
}
