using System.Net;
using System.Net.Sockets;
using Stagecast.Testing;

namespace Stagecast.Server.Tests;

/// <summary>The server as an operator runs it: a separate process, flags, environment, Ctrl-C.</summary>
public sealed class ProcessTests
{
    [Fact]
    public async Task PortsComeFromFlagsAndEnvironment()
    {
        int http = FreePort();
        int rtmp = FreePort();
        await using var server = StartServer(["--rtmp-port", rtmp.ToString()], new Dictionary<string, string> { ["STAGECAST_HTTP_PORT"] = http.ToString() });
        await WaitForHealthAsync(http, server);

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, rtmp);
        Assert.True(tcp.Connected);
    }

    [Fact]
    public async Task CtrlCStopsCleanlyAndClosesPublishers()
    {
        int http = FreePort();
        int rtmp = FreePort();
        await using var server = StartServer(["--http-port", http.ToString(), "--rtmp-port", rtmp.ToString()]);
        await WaitForHealthAsync(http, server);
        string key = System.Text.RegularExpressions.Regex.Match(server.StandardOutput, "stream key ([0-9a-f]{32})").Groups[1].Value;
        Assert.NotEmpty(key);

        await using var publisher = Ffmpeg.Publish($"rtmp://127.0.0.1:{rtmp}/live/{key}", Ffmpeg.AudioVideo(60));
        using var http2 = new HttpClient();
        await WaitUntilAsync(async () => (await http2.GetAsync($"http://127.0.0.1:{http}/demo/manifest/video.m3u8")).IsSuccessStatusCode);

        server.Interrupt();
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        await publisher.WaitForExitAsync(TimeSpan.FromSeconds(15)); // the publisher was disconnected

        string log = server.StandardOutput + server.StandardError;
        Assert.Contains("ended: server shutting down", log);
        Assert.DoesNotContain("Exception", log);
        Assert.DoesNotContain("fail:", log);
    }

    [Fact]
    public async Task InvalidSettingIsAClearStartupError()
    {
        await using var server = StartServer(["--http-port", "70000"]);
        Assert.Equal(2, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("stagecast: The field HttpPort must be between 0 and 65535.", server.StandardError);
        Assert.DoesNotContain("   at ", server.StandardError); // no stack trace
    }

    private static ExternalProcess StartServer(string[] arguments, Dictionary<string, string>? environment = null)
    {
        // The server project is built next to this test project, in the same configuration.
        string configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        string root = Browser.RepositoryRoot();
        string dll = Path.Combine(root, "src", "Stagecast.Server", "bin", configuration, "net10.0", "Stagecast.Server.dll");
        string dataDir = Directory.CreateTempSubdirectory("stagecast-process-").FullName;
        return ExternalProcess.Start("dotnet", [dll, "--bind", "127.0.0.1", "--data-dir", dataDir, .. arguments], environment);
    }

    private static async Task WaitForHealthAsync(int port, ExternalProcess server)
    {
        using var http = new HttpClient();
        await WaitUntilAsync(async () =>
        {
            if (server.HasExited)
            {
                throw new InvalidOperationException($"server exited: {server.StandardOutput}{server.StandardError}");
            }

            try
            {
                return (await http.GetAsync($"http://127.0.0.1:{port}/healthz")).StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        });
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("condition not met in 30 s");
            }

            await Task.Delay(200);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
