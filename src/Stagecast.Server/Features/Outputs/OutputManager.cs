using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Stagecast.Restream;
using Stagecast.Server.Hosting.Database;
using Stagecast.Server.Hosting.Security;
using Stagecast.Streaming;

namespace Stagecast.Server.Features.Outputs;

/// <summary>
/// Runs the restream outputs of live livestreams: when a livestream goes live, each enabled output gets its own
/// worker; outputs added, enabled, disabled or removed while live start or stop at once. A worker outlives
/// publisher reconnects (the stream does) and ends with the stream. The last state of each output is kept for the API.
/// </summary>
public sealed partial class OutputManager(
    IOutputStore store,
    StreamKeyProtector keys,
    StreamHub hub,
    OutputDestinations destinations,
    IOptions<RestreamOptions> options,
    TimeProvider time,
    ILoggerFactory loggers) : IHubStreamObserver
{
    private static readonly TimeSpan StopWait = TimeSpan.FromSeconds(2);
    private readonly ConcurrentDictionary<string, RestreamWorker> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RestreamState> _last = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggers.CreateLogger<OutputManager>();

    public int RunningCount => _running.Count;

    /// <summary>The status of every output being pushed now (connecting, streaming, reconnecting, errored).</summary>
    public IEnumerable<RestreamStatus> RunningStatuses => _running.Values.Select(w => w.State.Status);

    public RestreamState StateOf(string outputId) =>
        _running.TryGetValue(outputId, out var worker) ? worker.State : _last.GetValueOrDefault(outputId, RestreamState.Initial);

    public void OnStreamStarted(HubStream stream) => _ = StartOutputsAsync(stream);

    /// <summary>An output was created or enabled: push now if its livestream is live.</summary>
    public void Activate(LivestreamOutput output)
    {
        if (output.Enabled && hub.Find(output.LivestreamId) is { } stream)
        {
            Start(output, stream);
        }
    }

    /// <summary>An output was disabled or deleted: stop pushing (the destination sees the connection close).</summary>
    public async Task DeactivateAsync(string outputId, bool forget)
    {
        if (_running.TryRemove(outputId, out var worker))
        {
            await worker.StopAsync().WaitAsync(StopWait).ConfigureAwait(false);
            _last[outputId] = worker.State;
        }

        if (forget)
        {
            _last.TryRemove(outputId, out _);
        }
    }

    private async Task StartOutputsAsync(HubStream stream)
    {
        try
        {
            foreach (var output in await store.ListOutputsAsync(stream.Id, CancellationToken.None).ConfigureAwait(false))
            {
                if (output.Enabled && stream.State != HubStreamState.Ended)
                {
                    Start(output, stream);
                }
            }
        }
        catch (Exception ex)
        {
            Log.StartFailed(_logger, ex, stream.Id);
        }
    }

    private void Start(LivestreamOutput output, HubStream stream)
    {
        if (_running.ContainsKey(output.Id))
        {
            return; // already pushing
        }

        var destination = new RestreamDestination(new Uri(output.Url), keys.Unprotect(output.SealedStreamKey));
        var worker = new RestreamWorker($"output {output.Id}", stream, destination, options.Value, time, loggers.CreateLogger<RestreamWorker>(), destinations);
        if (!_running.TryAdd(output.Id, worker))
        {
            _ = worker.DisposeAsync().AsTask(); // lost a race with another start; never started
            return;
        }

        worker.Start();
        _ = ForgetWhenDoneAsync(output.Id, worker);
    }

    private async Task ForgetWhenDoneAsync(string outputId, RestreamWorker worker)
    {
        await worker.Completion.ConfigureAwait(false);
        if (_running.TryRemove(new KeyValuePair<string, RestreamWorker>(outputId, worker)))
        {
            _last[outputId] = worker.State;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "Starting the outputs of stream {StreamId} failed")]
        public static partial void StartFailed(ILogger logger, Exception exception, string streamId);
    }
}
