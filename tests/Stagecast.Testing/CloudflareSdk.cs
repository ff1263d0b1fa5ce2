using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace Stagecast.Testing;

/// <summary>
/// Cloudflare's official TypeScript SDK (npm <c>cloudflare</c>, in tests/sdk) pointed at a Stagecast server: any
/// <c>client.realtimeKit.*</c> method called with the arguments the SDK documents, through tests/sdk/rpc.mjs.
/// </summary>
public sealed class CloudflareSdk : IAsyncDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _node;
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly Task _reading;
    private int _nextId;

    private CloudflareSdk(Process node)
    {
        _node = node;
        _reading = Task.Run(ReadAnswersAsync);
    }

    /// <summary>A client with <c>baseURL</c> = the server's /client/v4 and the API token.</summary>
    public static CloudflareSdk Start(string httpBase, string apiToken)
    {
        string directory = Path.Combine(Browser.RepositoryRoot(), "tests", "sdk");
        var start = new ProcessStartInfo("node", [Path.Combine(directory, "rpc.mjs")])
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["STAGECAST_BASE_URL"] = httpBase + "/client/v4";
        start.Environment["STAGECAST_API_TOKEN"] = apiToken;
        var node = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        node.ErrorDataReceived += (_, _) => { };
        node.BeginErrorReadLine();
        return new CloudflareSdk(node);
    }

    /// <summary>Calls an SDK method (e.g. "realtimeKit.meetings.create") and returns what it resolved to.</summary>
    public async Task<JsonElement> CallAsync(string call, params object[] args)
    {
        var answer = await SendAsync(call, args);
        return answer.GetProperty("ok").GetBoolean()
            ? answer.GetProperty("result")
            : throw new InvalidOperationException($"{call} failed: {answer}");
    }

    /// <summary>Every method of <c>client.realtimeKit</c> the SDK has (e.g. "realtimeKit.meetings.create"), read from the SDK itself.</summary>
    public async Task<IReadOnlyList<string>> MethodsAsync() =>
        [.. (await CallAsync("$methods")).EnumerateArray().Select(m => m.GetString()!)];

    /// <summary>Calls an SDK method that must fail; returns the HTTP status and the error body the SDK reports.</summary>
    public async Task<(int Status, JsonElement Error)> CallFailingAsync(string call, params object[] args)
    {
        var answer = await SendAsync(call, args);
        return !answer.GetProperty("ok").GetBoolean()
            ? (answer.GetProperty("status").GetInt32(), answer.GetProperty("error"))
            : throw new InvalidOperationException($"{call} succeeded but should have failed: {answer}");
    }

    public async ValueTask DisposeAsync()
    {
        _node.StandardInput.Close();
        if (!_node.WaitForExit(5000))
        {
            _node.Kill(entireProcessTree: true);
        }

        await _reading.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
        _node.Dispose();
    }

    private async Task<JsonElement> SendAsync(string call, object[] args)
    {
        int id = Interlocked.Increment(ref _nextId);
        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        string line = JsonSerializer.Serialize(new { id, call, args });
        lock (_node)
        {
            _node.StandardInput.WriteLine(line);
            _node.StandardInput.Flush();
        }

        return await answer.Task.WaitAsync(CallTimeout);
    }

    private async Task ReadAnswersAsync()
    {
        while (await _node.StandardOutput.ReadLineAsync() is { } line)
        {
            var answer = JsonDocument.Parse(line).RootElement.Clone();
            if (_pending.TryRemove(answer.GetProperty("id").GetInt32(), out var waiter))
            {
                waiter.TrySetResult(answer);
            }
        }

        foreach (var waiter in _pending.Values)
        {
            waiter.TrySetException(new InvalidOperationException("the SDK driver exited"));
        }
    }
}
