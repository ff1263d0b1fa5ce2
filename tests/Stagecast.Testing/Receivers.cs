using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Stagecast.Testing;

/// <summary>RTMP receivers nobody here wrote: ffmpeg in listen mode, and nginx with libnginx-mod-rtmp.</summary>
public static class Receivers
{
    /// <summary>ffmpeg -listen 1 on rtmp://127.0.0.1:{port}/app/{key}, copying what arrives into an FLV file.</summary>
    public static Task<ExternalProcess> FfmpegAsync(int port, string key, string outputFile) =>
        FfmpegListenerAsync(port, key, "-c", "copy", "-y", outputFile);

    /// <summary>ffmpeg -listen 1 on rtmp://127.0.0.1:{port}/app/{key} with these output arguments, once it listens.</summary>
    public static async Task<ExternalProcess> FfmpegListenerAsync(int port, string key, params string[] output)
    {
        var process = ExternalProcess.Start("ffmpeg",
            ["-hide_banner", "-loglevel", "error", "-listen", "1", "-i", $"rtmp://127.0.0.1:{port}/app/{key}", .. output]);
        await WaitForPortAsync(port, process);
        return process;
    }

    /// <summary>
    /// nginx in the foreground (no daemon, no master), an RTMP application "app" that records every stream to
    /// its own file in <paramref name="recordDirectory"/>; with <paramref name="tls"/>, nginx's stream module also
    /// terminates TLS on another port in front of it (rtmps://), as RTMPS services do.
    /// </summary>
    public static async Task<ExternalProcess> NginxAsync(int port, string recordDirectory, (int Port, string Certificate, string Key)? tls = null)
    {
        string prefix = Directory.CreateTempSubdirectory("stagecast-nginx-").FullName;
        Directory.CreateDirectory(recordDirectory);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(recordDirectory, (UnixFileMode)0x1FF); // nginx workers may run as another user
        }
        string config = Path.Combine(prefix, "nginx.conf");
        await File.WriteAllTextAsync(config, $$"""
            load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
            {{(tls is null ? "" : "load_module /usr/lib/nginx/modules/ngx_stream_module.so;")}}
            daemon off;
            master_process off;
            worker_processes 1;
            pid {{prefix}}/nginx.pid;
            error_log {{prefix}}/error.log info;
            events { worker_connections 256; }
            {{(tls is var (tlsPort, certificate, key) ? $$"""
            stream {
              server {
                listen 127.0.0.1:{{tlsPort}} ssl;
                ssl_certificate {{certificate}};
                ssl_certificate_key {{key}};
                proxy_pass 127.0.0.1:{{port}};
              }
            }
            """ : "")}}
            rtmp {
              server {
                listen 127.0.0.1:{{port}};
                chunk_size 4096;
                application app {
                  live on;
                  record all;
                  record_path {{recordDirectory}};
                  record_unique on;
                }
              }
            }
            """);
        var process = ExternalProcess.Start("nginx", ["-c", config, "-p", prefix + "/"]);
        await WaitForPortAsync(port, process);
        if (tls is var (listening, _, _))
        {
            await WaitForPortAsync(listening, process);
        }

        return process;
    }

    /// <summary>The FLV files nginx recorded, oldest first.</summary>
    public static IReadOnlyList<string> Recordings(string recordDirectory) =>
        Directory.GetFiles(recordDirectory, "*.flv").OrderBy(File.GetCreationTimeUtc).ThenBy(f => f, StringComparer.Ordinal).ToList();

    /// <summary>Media duration of a file and the largest gap between consecutive video packets, in seconds.</summary>
    public static async Task<(double Duration, double LargestVideoGap)> TimelineAsync(string file)
    {
        var (_, output, _) = await ExternalProcess.RunAsync("ffprobe",
            ["-v", "error", "-select_streams", "v", "-show_entries", "packet=pts_time", "-of", "csv=p=0", file], TimeSpan.FromSeconds(60));
        var times = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => double.Parse(t.TrimEnd(','), CultureInfo.InvariantCulture)).Order().ToList();
        if (times.Count < 2)
        {
            return (0, 0);
        }

        double gap = times.Zip(times.Skip(1), (a, b) => b - a).Max();
        return (times[^1] - times[0], gap);
    }

    /// <summary>
    /// Waits until something listens on the port, by reading the kernel's socket table rather than connecting:
    /// ffmpeg -listen 1 serves exactly one connection, and a probe would use it up. A connection already accepted
    /// on the port counts too: ffmpeg stops listening once a worker that was retrying has connected.
    /// </summary>
    internal static async Task WaitForPortAsync(int port, ExternalProcess process)
    {
        string needle = $":{port:X4} ";
        await Eventually.TrueAsync(async () =>
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the receiver exited ({process.ExitCode}): {process.StandardError}");
            }

            foreach (string table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
            {
                if (File.Exists(table) && (await File.ReadAllLinesAsync(table)).Skip(1).Any(line => IsListening(line, needle)))
                {
                    return true;
                }
            }

            return false;
        }, $"something to listen on port {port}");
    }

    /// <summary>A /proc/net/tcp line: "sl local_address rem_address st …"; state 0A is LISTEN, 01 ESTABLISHED.</summary>
    private static bool IsListening(string line, string needle)
    {
        string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 3 && (fields[1] + " ").EndsWith(needle, StringComparison.Ordinal) && fields[3] is "0A" or "01";
    }
}
