using System.Collections.Concurrent;
using System.Diagnostics;

namespace Stagecast.FfmpegProcesses;

/// <summary>
/// Starts child processes that die with this one, however it ends (<c>kill -9</c> included). A child asks the kernel
/// for that itself, with <c>prctl(PR_SET_PDEATHSIG, SIGKILL)</c> between fork and exec; .NET runs no code of ours
/// there, so each child is started through util-linux's <c>setpriv --pdeathsig KILL --</c>, which makes that call
/// and execs the program in its place (same pid, same pipes; util-linux is essential on Debian, so setpriv is always
/// there). The signal comes when the <em>thread</em> that forked the child ends, not the process (prctl(2)), and the
/// thread pool retires idle threads: so every child is forked from one thread that lives as long as the process.
/// Left open: the instant between fork and setpriv's prctl, in which the server's death would go unnoticed.
/// Without setpriv (another system) children start directly and only a clean stop kills them.
/// </summary>
internal static class ChildSpawner
{
    private static readonly BlockingCollection<Request> Requests = [];

    static ChildSpawner()
    {
        Setpriv = OperatingSystem.IsLinux() ? Find("setpriv") ?? Find("/usr/bin/setpriv") : null;
        new Thread(Spawn) { IsBackground = true, Name = "child spawner" }.Start();
    }

    /// <summary>setpriv's path, or null when children cannot be tied to this process.</summary>
    public static string? Setpriv { get; }

    /// <summary>Starts <paramref name="program"/> with its stdin, stdout and stderr as pipes, from the spawner's thread.</summary>
    public static Process Start(string program, IEnumerable<string> arguments, string? workingDirectory)
    {
        var info = new ProcessStartInfo(Setpriv ?? program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (workingDirectory is not null)
        {
            info.WorkingDirectory = workingDirectory;
        }

        if (Setpriv is not null)
        {
            foreach (string argument in (string[])["--pdeathsig", "KILL", "--", program])
            {
                info.ArgumentList.Add(argument);
            }
        }

        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var request = new Request(info);
        Requests.Add(request);
        return request.Started.Task.GetAwaiter().GetResult();
    }

    private static void Spawn()
    {
        foreach (var request in Requests.GetConsumingEnumerable())
        {
            try
            {
                request.Started.SetResult(Process.Start(request.Info) ?? throw new InvalidOperationException($"could not start {request.Info.FileName}"));
            }
            catch (Exception ex)
            {
                request.Started.SetException(ex); // thrown to the caller, on its own thread
            }
        }
    }

    /// <summary>Where <paramref name="program"/> is: itself when it names a file (a path), else the first match on the <c>PATH</c>; null when nowhere.</summary>
    public static string? Find(string program)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(program) ? program : null;
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, program))
            .FirstOrDefault(File.Exists);
    }

    private sealed record Request(ProcessStartInfo Info)
    {
        public TaskCompletionSource<Process> Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
