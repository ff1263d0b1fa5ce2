using System.Globalization;
using Stagecast.Testing;

namespace Stagecast.Server.Tests;

/// <summary>The server's ffmpeg children die with it, even when it is killed with SIGKILL and has no say.</summary>
public sealed class FfmpegChildProcessTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("stagecast-kill-").FullName;

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task KillingTheServerWithSigkillLeavesNoFfmpegChildBehind()
    {
        // The server's ffmpeg, as one that would not notice its parent's death: it encodes a rendition, then stays once
        // its input ends (as one stuck on a slow disk would), deaf to SIGTERM, SIGHUP and SIGPIPE. (A rendition's
        // encoder: recordings are written in process, without ffmpeg.)
        string stubborn = Path.Combine(_work, "ffmpeg-that-stays");
        await File.WriteAllTextAsync(stubborn, "#!/bin/sh\ntrap '' TERM INT HUP PIPE\nffmpeg \"$@\"\nexec sleep 600\n");
        File.SetUnixFileMode(stubborn, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var environment = new Dictionary<string, string>
        {
            ["STAGECAST_ACCOUNT_ID"] = "kill-account",
            ["STAGECAST_APP_ID"] = "kill-app",
            ["STAGECAST_API_TOKEN"] = "sct_kill_nine_test_token_0123456789abcdef",
        };
        await using var server = await ServerProcess.StartAsync(null, environment, "--ffmpeg", stubborn);
        var api = new StagecastApiClient(new HttpClient { BaseAddress = new Uri(server.HttpBase) }, "kill-account", "kill-app", environment["STAGECAST_API_TOKEN"]);
        var created = await api.CreateLivestreamAsync(renditions: ["180p"]);
        await using var publisher = Ffmpeg.Publish(created.PublishUrl, Ffmpeg.AudioVideo(60, "320x180"));

        // The encoder runs: the script the server started, and the real ffmpeg under it.
        var children = await Eventually.MatchAsync(() => Descendants(server.Process.Id), found => found.Count >= 2, "the encoder's processes",
            describe: found => string.Join(", ", found.Select(p => p.Pid)));
        try
        {
            System.Diagnostics.Process.GetProcessById(server.Process.Id).Kill(); // the server alone, as kill -9 does

            await Eventually.TrueAsync(() => children.All(Gone), "every ffmpeg child of the killed server to be gone");
        }
        finally
        {
            foreach (var child in children.Where(c => !Gone(c)))
            {
                System.Diagnostics.Process.GetProcessById(child.Pid).Kill(); // what a failure left running
            }
        }
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    /// <summary>The processes under <paramref name="root"/>, each with its start time (so a reused pid is not taken for it).</summary>
    private static List<ProcessEntry> Descendants(int root)
    {
        var all = Directory.GetDirectories("/proc").Select(d => Path.GetFileName(d)).Where(name => name.All(char.IsAsciiDigit))
            .Select(name => Read(int.Parse(name, CultureInfo.InvariantCulture))).OfType<ProcessEntry>().ToList();
        var found = new List<ProcessEntry>();
        var parents = new HashSet<int> { root };
        for (bool grew = true; grew;)
        {
            var next = all.Where(p => parents.Contains(p.Parent) && !found.Contains(p)).ToList();
            found.AddRange(next);
            parents.UnionWith(next.Select(p => p.Pid));
            grew = next.Count > 0;
        }

        return found;
    }

    /// <summary>Alive: still there (not a zombie) and the same process (same start time).</summary>
    private static bool Gone(ProcessEntry entry) => Read(entry.Pid) is not { State: not 'Z' } now || now.StartTime != entry.StartTime;

    private static ProcessEntry? Read(int pid)
    {
        try
        {
            // pid (comm) state ppid ... starttime (field 22); comm may hold spaces and parentheses, so fields count from the last ')'.
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return new ProcessEntry(pid, int.Parse(fields[1], CultureInfo.InvariantCulture), fields[0][0], long.Parse(fields[19], CultureInfo.InvariantCulture));
        }
        catch (IOException)
        {
            return null;
        }
    }

    private sealed record ProcessEntry(int Pid, int Parent, char State, long StartTime);
}
