using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Stagecast.Testing;

namespace Stagecast.Bench;

/// <summary>What a publisher sends to and a player reads from.</summary>
public sealed record StreamSlot(string Key, string PlaybackUrl)
{
    /// <summary>The livestream id in a Stagecast playback URL (http://host/{id}/manifest/…).</summary>
    public string Id => PlaybackUrl.Split('/')[3];
}

/// <summary>A server under test: started fresh, given stream keys, watched through /proc.</summary>
public abstract class BenchServer : IAsyncDisposable
{
    protected Process? Process { get; set; }

    /// <summary>Stopwatch ticks just before the server's process was started.</summary>
    public long LaunchedAt { get; private set; }

    public abstract string Name { get; }

    public int HttpPort { get; } = FreePorts.Next();

    public int RtmpPort { get; } = FreePorts.Next();

    public int Pid => Process!.Id;

    /// <summary>True when the playlist follows LL-HLS (parts, blocking reload).</summary>
    public abstract bool LowLatency { get; }

    public abstract Task StartAsync();

    /// <summary>Streams encoders may publish (Stagecast: livestreams created through the API).</summary>
    public abstract Task<IReadOnlyList<StreamSlot>> CreateStreamsAsync(int count);

    public virtual Task<long?> DroppedFramesAsync() => Task.FromResult<long?>(null);

    /// <summary>Bytes of media the server keeps in files outside its processes (tmpfs counts as memory).</summary>
    public virtual long MediaFileBytes() => 0;

    /// <summary>Drops what ended streams left behind, so a measurement counts only the streams it started.</summary>
    public virtual void ForgetEndedStreams()
    {
    }

    public async ValueTask DisposeAsync()
    {
        if (Process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        Process?.Dispose();
    }

    internal Process Launch(string file, IEnumerable<string> arguments, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        LaunchedAt = Stopwatch.GetTimestamp();
        var process = System.Diagnostics.Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine($"  [{Path.GetFileName(file)}] {e.Data}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    internal static async Task WaitForPortAsync(int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(5);
            }
        }
    }
}

/// <summary>
/// Stagecast from its Release build (or the release binary, or another build's dll, when <paramref name="binary"/> names one), with a fresh
/// data directory unless <paramref name="dataDirectory"/> names one, and warnings-only logging. The benchmark's account, app and token
/// come from the STAGECAST_* start-up variables unless <paramref name="bootstrap"/> is false (a restart on a data directory that
/// has them already, as an installed server restarts). <paramref name="options"/> are more command-line options
/// (<c>--transcription-engine pocketsphinx</c>).
/// </summary>
public sealed class StagecastServer(string repository, HttpClient http, string? binary = null, string? dataDirectory = null, bool bootstrap = true,
    IReadOnlyList<string>? options = null) : BenchServer
{
    private const string Token = "sct_benchmark_token_0123456789abcdefghij";

    public override string Name => Label ?? "Stagecast";

    /// <summary>The name in reports when two builds are measured side by side.</summary>
    public string? Label { get; init; }

    public override bool LowLatency => true;

    private string Api => $"http://127.0.0.1:{HttpPort}/client/v4/accounts/bench/realtime/kit/bench";

    /// <summary>Port of the metrics listener (never the public HTTP port).</summary>
    public int MetricsPort { get; } = FreePorts.Next();

    public string MetricsUrl => $"http://127.0.0.1:{MetricsPort}/metrics";

    public override async Task StartAsync()
    {
        string dll = binary is null or [.., '.', 'd', 'l', 'l'] ? binary ?? Path.Combine(repository, "src", "Stagecast.Server", "bin", "Release", "net10.0", "Stagecast.Server.dll") : "";
        string data = dataDirectory ?? Directory.CreateTempSubdirectory("stagecast-bench-").FullName;
        Process = Launch(dll.Length > 0 ? "dotnet" : binary!, [.. dll.Length > 0 ? [dll] : Array.Empty<string>(), "--bind", "127.0.0.1", "--http-port", HttpPort.ToString(), "--rtmp-port", RtmpPort.ToString(), "--data-dir", data,
            "--metrics-bind", $"127.0.0.1:{MetricsPort}",
            // Ports of their own, so the JIT build and the release binary run side by side.
            "--srt-port", "0", "--webrtc-port", FreePorts.Next().ToString(CultureInfo.InvariantCulture),
            "--set", "Stagecast:Api:RequestsPerSecond=100000",
            // Every publisher, player and WHEP viewer of the benchmark comes from 127.0.0.1, and the ramp goes past the
            // default ceilings (1,000 RTMP connections, 50 per address; 1,000 WebRTC sessions; 1,000 HTTP connections per address).
            "--set", "Stagecast:WebRtc:MaxSessionsPerAddress=100000", "--set", "Stagecast:WebRtc:MaxSessions=100000",
            "--set", "Stagecast:Rtmp:MaxConnections=100000", "--set", "Stagecast:Rtmp:MaxConnectionsPerAddress=100000",
            "--set", "Stagecast:Http:MaxConnections=100000", "--set", "Stagecast:Http:MaxConnectionsPerAddress=100000",
            // Ended streams' playlists are normally kept for a minute; in the benchmark they would count as
            // memory of the next measurement's streams.
            "--set", "Stagecast:Hls:EndedStreamRetention=00:00:01", .. options ?? []],
            bootstrap
                ? new Dictionary<string, string>
                {
                    ["STAGECAST_ACCOUNT_ID"] = "bench", ["STAGECAST_APP_ID"] = "bench", ["STAGECAST_API_TOKEN"] = Token,
                    ["Logging__LogLevel__Default"] = "Warning",
                }
                : new Dictionary<string, string> { ["Logging__LogLevel__Default"] = "Warning" });
        await WaitForPortAsync(HttpPort);
        await WaitForPortAsync(RtmpPort);
        await WaitForApiAsync();
    }

    /// <summary>
    /// Until the API takes the benchmark's token: the port may listen before the API answers it, and on a busy machine
    /// the smoke's first livestream was once refused (the error envelope, no data). It asks for meetings, not
    /// livestreams: listing a livestream decrypts its stream key, which maps OpenSSL (3.7 MiB) into a server the idle
    /// measurement means to leave alone.
    /// </summary>
    private async Task WaitForApiAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{Api}/meetings?per_page=1");
            request.Headers.Authorization = new("Bearer", Token);
            using var response = await http.SendAsync(request);
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"Stagecast's API still answers {(int)response.StatusCode} 30 s after start");
            }

            await Task.Delay(50);
        }
    }

    public override async Task<IReadOnlyList<StreamSlot>> CreateStreamsAsync(int count)
    {
        var slots = new StreamSlot[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, cancellation) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{Api}/livestreams") { Content = JsonContent.Create(new { name = $"bench-{i}" }) };
            request.Headers.Authorization = new("Bearer", Token);
            using var response = await http.SendAsync(request, cancellation);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellation);
            var data = body.TryGetProperty("data", out var created) ? created
                : throw new InvalidOperationException($"creating a livestream: {(int)response.StatusCode} {body}");
            slots[i] = new StreamSlot(data.GetProperty("stream_key").GetString()!, data.GetProperty("playback_url").GetString()!);
        });
        return slots;
    }

    /// <summary>Calls the REST API of the benchmark's app; returns the envelope's data.</summary>
    public async Task<JsonElement> ApiAsync(string path, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{Api}{path}") { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new("Bearer", Token);
        using var response = await http.SendAsync(request);
        var envelope = await response.Content.ReadFromJsonAsync<JsonElement>();
        return response.IsSuccessStatusCode ? envelope.GetProperty("data") : throw new InvalidOperationException($"POST {path}: {envelope}");
    }

    /// <summary>GET on the REST API of the benchmark's app; returns the envelope's data.</summary>
    public async Task<JsonElement> ApiGetAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{Api}{path}");
        request.Headers.Authorization = new("Bearer", Token);
        using var response = await http.SendAsync(request);
        var envelope = await response.Content.ReadFromJsonAsync<JsonElement>();
        return response.IsSuccessStatusCode ? envelope.GetProperty("data") : throw new InvalidOperationException($"GET {path}: {envelope}");
    }

    public override async Task<long?> DroppedFramesAsync() => (long)await MetricAsync("stagecast_dropped_frames_total");

    /// <summary>The parts it holds in memory files for sendfile (not in its resident set): the files it has open.</summary>
    public override long MediaFileBytes() =>
        new DirectoryInfo($"/proc/{Pid}/fd").EnumerateFileSystemInfos().Sum(fd =>
        {
            try
            {
                if (fd.LinkTarget?.StartsWith("/memfd:stagecast-part", StringComparison.Ordinal) != true)
                {
                    return 0;
                }

                using var file = File.OpenHandle(fd.FullName); // the link's own size is not the file's
                return RandomAccess.GetLength(file);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return 0; // closed meanwhile
            }
        });

    /// <summary>The value of an unlabelled metric on /metrics.</summary>
    public async Task<double> MetricAsync(string name)
    {
        string metrics = await http.GetStringAsync(MetricsUrl);
        string line = metrics.Split('\n').First(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return double.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>
/// nginx 1.22 with libnginx-mod-rtmp from Debian, HLS on (1 s fragments, 6 s playlist) written to tmpfs and
/// served by nginx itself. Both worker processes take RTMP (rtmp_auto_push shares published streams).
/// </summary>
public sealed class NginxServer(int workers) : BenchServer
{
    private string _hlsPath = "";

    public override string Name => "nginx-rtmp";

    public int Workers => workers;

    public override bool LowLatency => false;

    public override async Task StartAsync()
    {
        string prefix = Directory.CreateTempSubdirectory("nginx-bench-").FullName;
        _hlsPath = Path.Combine("/dev/shm", $"nginx-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_hlsPath);
        File.SetUnixFileMode(_hlsPath, (UnixFileMode)0x1FF);
        string config = Path.Combine(prefix, "nginx.conf");
        await File.WriteAllTextAsync(config, $$"""
            load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
            daemon off;
            worker_processes {{workers}};
            worker_rlimit_nofile 65536;
            pid {{prefix}}/nginx.pid;
            error_log {{prefix}}/error.log warn;
            events { worker_connections 16384; }
            {{(workers > 1 ? "rtmp_auto_push on;" : "")}}
            rtmp {
              server {
                listen 127.0.0.1:{{RtmpPort}};
                chunk_size 4096;
                application live {
                  live on;
                  hls on;
                  hls_path {{_hlsPath}};
                  hls_fragment 1s;
                  hls_playlist_length 6s;
                }
              }
            }
            http {
              access_log off;
              sendfile on;
              tcp_nopush on;
              keepalive_requests 100000;
              types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; }
              server {
                listen 127.0.0.1:{{HttpPort}};
                location /hls/ {
                  alias {{_hlsPath}}/;
                  add_header Cache-Control no-cache;
                }
              }
            }
            """);
        Process = Launch("nginx", ["-c", config, "-p", prefix + "/"]);
        await WaitForPortAsync(HttpPort);
        await WaitForPortAsync(RtmpPort);
    }

    public override long MediaFileBytes() =>
        new DirectoryInfo(_hlsPath).EnumerateFiles().Sum(file =>
        {
            try
            {
                return file.Length;
            }
            catch (FileNotFoundException)
            {
                return 0; // removed by nginx's cleanup meanwhile
            }
        });

    public override void ForgetEndedStreams()
    {
        foreach (var file in new DirectoryInfo(_hlsPath).EnumerateFiles())
        {
            file.Delete();
        }
    }

    public override Task<IReadOnlyList<StreamSlot>> CreateStreamsAsync(int count) =>
        Task.FromResult<IReadOnlyList<StreamSlot>>(Enumerable.Range(0, count)
            .Select(_ => $"s{Guid.NewGuid():N}"[..16])
            .Select(key => new StreamSlot(key, $"http://127.0.0.1:{HttpPort}/hls/{key}.m3u8"))
            .ToList());
}
