using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Stagecast.Testing;

/// <summary>
/// The LL-HLS edge as shipped (deploy/edge/nginx.conf, or deploy/edge/varnish.vcl) in front of the given node ports,
/// on a free port; nginx's with an access log of what it fetched from the origin. The tests and the bench run the
/// shipped files, not copies of them.
/// </summary>
public sealed partial class EdgeCache : IAsyncDisposable
{
    private readonly ExternalProcess _process;
    private readonly string _prefix;

    private EdgeCache(ExternalProcess process, string prefix, int port)
    {
        _process = process;
        _prefix = prefix;
        Url = $"http://127.0.0.1:{port}";
    }

    public string Url { get; }

    public static async Task<EdgeCache> StartNginxAsync(params int[] upstreamPorts)
    {
        string prefix = Directory.CreateTempSubdirectory("stagecast-edge-").FullName;
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(prefix, (UnixFileMode)0x1FF); // the workers (nobody) write the cache and temp files
        }

        int port = FreePorts.Next();
        string shipped = await File.ReadAllTextAsync(Path.Combine(Browser.RepositoryRoot(), "deploy", "edge", "nginx.conf"));
        string servers = string.Concat(upstreamPorts.Select(p => $"        server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;\n"));
        string config = UpstreamServers().Replace(shipped, servers, 1)
            .Replace("worker_processes auto;", $"worker_processes 1;\ndaemon off;\npid {prefix}/nginx.pid;\nerror_log {prefix}/error.log warn;")
            .Replace("/var/cache/stagecast-edge", prefix + "/cache")
            .Replace("listen 8080 reuseport;", $"listen 127.0.0.1:{port};")
            .Replace("access_log off;", $"log_format origin '$upstream_cache_status $hls_stream/$hls_epoch/$hls_file?$args';\n    access_log {prefix}/access.log origin;")
            .Replace("http {", $"http {{\n    client_body_temp_path {prefix}/body;\n    proxy_temp_path {prefix}/proxy;");
        string path = Path.Combine(prefix, "nginx.conf");
        await File.WriteAllTextAsync(path, config);
        var process = ExternalProcess.Start("nginx", ["-c", path, "-p", prefix + "/"]);
        await Receivers.WaitForPortAsync(port, process);
        return new EdgeCache(process, prefix, port);
    }

    /// <summary>
    /// For each cache key (path without player id, and query) the edge fetched from the origin: how many times. Hits
    /// are not counted; a MISS, EXPIRED or a request that bypassed the cache is.
    /// </summary>
    public IReadOnlyDictionary<string, int> OriginFetches()
    {
        var counts = new Dictionary<string, int>();
        foreach (string line in File.ReadLines(Path.Combine(_prefix, "access.log")))
        {
            string[] fields = line.Split(' ', 2);
            if (fields.Length == 2 && fields[0] is not ("HIT" or "UPDATING" or "STALE"))
            {
                counts[fields[1]] = counts.GetValueOrDefault(fields[1]) + 1;
            }
        }

        return counts;
    }

    /// <summary>Varnish (Debian's varnishd) with the shipped VCL, its two backends pointed at the given node ports.</summary>
    public static async Task<EdgeCache> StartVarnishAsync(int firstPort, int secondPort)
    {
        string prefix = Directory.CreateTempSubdirectory("stagecast-varnish-").FullName;
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(prefix, (UnixFileMode)0x1FF); // varnishd's workers run as its own user
        }

        int port = FreePorts.Next();
        string vcl = (await File.ReadAllTextAsync(Path.Combine(Browser.RepositoryRoot(), "deploy", "edge", "varnish.vcl")))
            .Replace("\"8081\"", $"\"{firstPort}\"").Replace("\"8082\"", $"\"{secondPort}\"");
        string path = Path.Combine(prefix, "stagecast.vcl");
        await File.WriteAllTextAsync(path, vcl);
        var process = ExternalProcess.Start("varnishd", ["-F", "-n", Path.Combine(prefix, "work"), "-a", $"127.0.0.1:{port}", "-f", path, "-s", "malloc,256m"]);
        await Receivers.WaitForPortAsync(port, process);
        return new EdgeCache(process, prefix, port);
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        Directory.Delete(_prefix, recursive: true);
    }

    [GeneratedRegex(@"(?<=upstream stagecast \{\n)(?:\s*#.*\n)?(?:\s*server .*\n)+")]
    private static partial Regex UpstreamServers();
}

/// <summary>An LL-HLS player as hls.js plays: blocking playlist requests for the next part, and every part downloaded.</summary>
public static class LowLatencyPlayer
{
    /// <summary>
    /// Plays until cancelled, starting at the live edge (the newest part); returns how many parts it downloaded after
    /// that one. <paramref name="joined"/> is called once its first media playlist has arrived. Errors throw.
    /// </summary>
    public static async Task<int> PlayAsync(string playbackUrl, CancellationToken cancellationToken, HttpClient? client = null, Action? joined = null)
    {
        using var own = client is null ? new HttpClient { Timeout = TimeSpan.FromSeconds(20) } : null;
        var http = client ?? own!;
        var multivariant = new Uri(playbackUrl);
        var media = new Uri(multivariant, (await http.GetStringAsync(multivariant, CancellationToken.None)).Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
        var seen = new HashSet<string>();
        int parts = 0;
        string query = "";
        while (!cancellationToken.IsCancellationRequested)
        {
            string text;
            try
            {
                text = await http.GetStringAsync(media + query, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            var playlist = ParsedPlaylist.Parse(text);
            var fresh = playlist.Parts.Where(p => !seen.Contains(p.Uri)).ToList();
            bool joining = seen.Count == 0; // a player starts at the live edge, with the newest part
            seen.UnionWith(fresh.Select(p => p.Uri));
            foreach (var part in joining ? fresh.TakeLast(1) : fresh)
            {
                using var response = await http.GetAsync(new Uri(media, part.Uri), CancellationToken.None);
                response.EnsureSuccessStatusCode();
                await response.Content.CopyToAsync(Stream.Null, CancellationToken.None);
                parts += joining ? 0 : 1;
            }

            if (joining)
            {
                joined?.Invoke();
            }

            query = NextPartQuery(playlist);
        }

        return parts;
    }

    /// <summary>The blocking reload for the part after the newest listed one (_HLS_msn, _HLS_part).</summary>
    public static string NextPartQuery(ParsedPlaylist playlist)
    {
        var last = playlist.Segments[^1];
        return last.Uri is null
            ? string.Create(CultureInfo.InvariantCulture, $"?_HLS_msn={last.Msn}&_HLS_part={last.Parts.Count}")
            : string.Create(CultureInfo.InvariantCulture, $"?_HLS_msn={last.Msn + 1}&_HLS_part=0");
    }
}
