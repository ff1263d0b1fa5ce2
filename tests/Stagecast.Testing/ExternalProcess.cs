using System.Diagnostics;
using System.Text;

namespace Stagecast.Testing;

/// <summary>A child process (ffmpeg, ffprobe, the server) with captured output, killed on dispose.</summary>
public sealed class ExternalProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly string _name;
    private int _disposed;

    private ExternalProcess(Process process, string name)
    {
        _process = process;
        _name = name;
    }

    public string StandardOutput
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public int Id => _process.Id;

    /// <summary>
    /// Starts <paramref name="fileName"/> through env(1), which gives it SIGINT's default handling first: a test run
    /// started in the background by a script (<c>./test.sh &gt; log &amp;</c> in a shell without job control) ignores
    /// SIGINT, its children inherit that, and .NET keeps an inherited ignore, so a server started from it never saw
    /// <see cref="InterruptAsync"/>. Ctrl-C, which that stands for, reaches a program in the foreground of a terminal, where
    /// SIGINT is never ignored.
    /// </summary>
    public static ExternalProcess Start(string fileName, IEnumerable<string> arguments, IDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo("env", ["--default-signal=INT", fileName])
        {
            WorkingDirectory = workingDirectory ?? "",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var wrapper = new ExternalProcess(process, fileName);
        process.OutputDataReceived += (_, e) => Append(wrapper._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(wrapper._stderr, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return wrapper;
    }

    /// <summary>Runs to completion and returns the exit code; kills the process when it overruns.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout, string? workingDirectory = null)
    {
        await using var process = Start(fileName, arguments, workingDirectory: workingDirectory);
        int exitCode = await process.WaitForExitAsync(timeout);
        return (exitCode, process.StandardOutput, process.StandardError);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            throw new TimeoutException($"{_name} did not exit within {timeout}: {StandardError}");
        }

        _process.WaitForExit(); // flushes the redirected output
        return _process.ExitCode;
    }

    /// <summary>Sends SIGINT, as Ctrl-C does.</summary>
    public Task InterruptAsync() => SignalAsync(_process.Id, "INT");

    /// <summary>Sends <paramref name="signal"/> (<c>STOP</c>, <c>CONT</c>, <c>KILL</c>...) to any process, as kill(1) does; throws when it cannot.</summary>
    public static async Task SignalAsync(int pid, string signal)
    {
        var (exitCode, _, error) = await RunAsync("kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10));
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {pid} failed: {error}");
        }
    }

    /// <summary>SIGKILL, as kill -9 does: no shutdown of any kind.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>Kills the process if it still runs; safe to call more than once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static void Append(StringBuilder builder, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (builder)
        {
            builder.AppendLine(line);
        }
    }
}
