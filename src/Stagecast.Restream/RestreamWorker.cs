using System.Net;
using Microsoft.Extensions.Logging;
using Stagecast.Rtmp.Client;
using Stagecast.Streaming;
using Stagecast.Streaming.Logging;

namespace Stagecast.Restream;

/// <summary>
/// Pushes one live stream to one RTMP(S) destination, supervised: connect, publish, pump frames; on any failure,
/// record the error and try again with exponential backoff until the stream ends or the worker is stopped.
/// It knows nothing of livestreams or meetings: it reads a hub stream and writes to a destination. Each
/// connection reads through its own bounded queue, so a slow or dead destination only ever drops its own frames.
/// </summary>
public sealed partial class RestreamWorker : IAsyncDisposable
{
    /// <summary>The output's name as logs show it (an API client chose it: escaped).</summary>
    private readonly string _name;
    private readonly HubStream _source;
    private readonly RestreamDestination _destination;
    private readonly RestreamOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IRestreamDialPolicy? _dialPolicy;
    private readonly CancellationTokenSource _stop = new();
    private RestreamState _state = RestreamState.Initial;
    private Task _run = Task.CompletedTask;
    private long _bytesSentBefore;
    private long _droppedBefore;
    private RtmpPublishClient? _client;
    private HubStreamReader? _reader;

    /// <param name="dialPolicy">Which addresses the destination may be dialled at; null: wherever its host resolves.</param>
    public RestreamWorker(
        string name, HubStream source, RestreamDestination destination, RestreamOptions options, TimeProvider time, ILogger logger, IRestreamDialPolicy? dialPolicy = null)
    {
        _dialPolicy = dialPolicy;
        _name = LogText.Untrusted(name, 100);
        _source = source;
        _destination = destination;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>The current state; byte and drop counters are live, even while a send is blocked.</summary>
    public RestreamState State
    {
        get
        {
            var state = Volatile.Read(ref _state);
            var client = Volatile.Read(ref _client);
            var reader = Volatile.Read(ref _reader);
            return state with
            {
                BytesSent = Interlocked.Read(ref _bytesSentBefore) + (client?.BytesSent ?? 0),
                DroppedFrames = Interlocked.Read(ref _droppedBefore) + (reader?.DroppedFrames ?? 0),
            };
        }
    }

    /// <summary>Raised on every status change (from the worker's task).</summary>
    public event Action<RestreamWorker, RestreamState>? StateChanged;

    public RestreamDestination Destination => _destination;

    /// <summary>Completes when the worker has stopped for good (stream ended or stopped).</summary>
    public Task Completion => _run;

    public void Start() => _run = Task.Run(RunAsync);

    /// <summary>Stops pushing: the destination connection is closed within about a second.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _run.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        // Stopped, or the stream ended: a connect under way or a wait to retry ends at once, not at its timeout.
        // Pumping is not cut short by the end: the stream's last frames and a clean unpublish still go out.
        var stop = _stop.Token;
        using var stopOrEndSource = CancellationTokenSource.CreateLinkedTokenSource(stop, _source.Ending);
        var stopOrEnd = stopOrEndSource.Token;
        var backoff = _options.InitialBackoff;
        bool streamed = false;
        while (!stopOrEnd.IsCancellationRequested)
        {
            Update(s => s with
            {
                Status = streamed ? RestreamStatus.Reconnecting : (s.LastError is null ? RestreamStatus.Connecting : RestreamStatus.Errored),
                Attempts = s.Attempts + 1,
                RetryAt = null,
            });
            try
            {
                await using var client = await ConnectAsync(stopOrEnd).ConfigureAwait(false);
                streamed = true;
                backoff = _options.InitialBackoff;
                Update(s => s with { Status = RestreamStatus.Streaming, StartedAt = s.StartedAt ?? _time.GetUtcNow(), EndedAt = null });
                Log.Streaming(_logger, _name, _destination.TcUrl);
                bool ended = await PumpAsync(client, stop).ConfigureAwait(false);
                if (ended)
                {
                    await UnpublishQuietlyAsync(client).ConfigureAwait(false);
                    break;
                }
            }
            catch (OperationCanceledException) when (stopOrEnd.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                string error = Describe(ex);
                // The wait is armed before the retry time is shown: whoever sees RetryAt can count on the timer.
                var retryAt = _time.GetUtcNow() + backoff;
                var wait = Task.Delay(backoff, _time, stopOrEnd);
                Update(s => s with
                {
                    Status = streamed ? RestreamStatus.Reconnecting : RestreamStatus.Errored,
                    LastError = error,
                    RetryAt = retryAt,
                });
                Log.Failed(_logger, _name, _destination.TcUrl, error, backoff.TotalSeconds);
                try
                {
                    await wait.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
            }
        }

        // Ended with its stream, the output ends when the stream's session does (not when the worker noticed).
        var endedAt = _source.StoppedAt is { } streamStopped && !stop.IsCancellationRequested ? streamStopped : _time.GetUtcNow();
        Update(s => s with { Status = RestreamStatus.Idle, EndedAt = s.StartedAt is null ? null : endedAt, RetryAt = null });
        Log.Stopped(_logger, _name, _destination.TcUrl);
    }

    private async Task<RtmpPublishClient> ConnectAsync(CancellationToken stop)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(_options.ConnectTimeout);
        RtmpPublishClient? client = null;
        try
        {
            var url = _destination.Url;
            IPAddress[]? addresses = null;
            if (_dialPolicy is not null)
            {
                addresses = await _dialPolicy.AddressesAsync(url.IdnHost, RtmpPublishClient.PortOf(url), timeout.Token).ConfigureAwait(false);
                if (addresses.Length == 0)
                {
                    throw new DestinationRefusedException();
                }
            }

            client = await RtmpPublishClient.ConnectAsync(url, addresses, _options.CertificateValidation, timeout.Token).ConfigureAwait(false);
            await client.PublishAsync(_destination.TcUrl, _destination.App, _destination.StreamName, timeout.Token).ConfigureAwait(false);
            return client;
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            if (client is not null)
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }

            throw new TimeoutException($"no publish within {_options.ConnectTimeout.TotalSeconds} s");
        }
        catch
        {
            if (client is not null)
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    private static async Task UnpublishQuietlyAsync(RtmpPublishClient client)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await client.UnpublishAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or RtmpStatusException or InvalidOperationException)
        {
            // The destination is gone already; nothing left to tell it.
        }
    }

    private void Update(Func<RestreamState, RestreamState> change)
    {
        var before = Volatile.Read(ref _state);
        var after = change(before);
        Volatile.Write(ref _state, after);
        if (after.Status != before.Status || after.RetryAt != before.RetryAt)
        {
            StateChanged?.Invoke(this, after);
        }
    }

    private static string Describe(Exception ex) => ex switch
    {
        DestinationRefusedException refused => refused.Message,
        RtmpStatusException status => $"destination refused: {LogText.Untrusted(status.Code)} ({LogText.Untrusted(status.Description, 200)})",
        System.Net.Sockets.SocketException socket => $"cannot connect: {socket.Message}",
        System.Security.Authentication.AuthenticationException tls => $"TLS failed: {tls.Message}",
        TimeoutException timeout => timeout.Message,
        _ => ex.Message,
    };

    /// <summary>The dial policy refused every address of the destination; the message says no more than that.</summary>
    private sealed class DestinationRefusedException() : IOException("destination not allowed: the server may not connect there (private, loopback or its own address)");

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Restream {Name}: streaming to {Destination}")]
        public static partial void Streaming(ILogger logger, string name, string destination);

        [LoggerMessage(2, LogLevel.Warning, "Restream {Name} to {Destination} failed: {Error}; retrying in {Seconds} s")]
        public static partial void Failed(ILogger logger, string name, string destination, string error, double seconds);

        [LoggerMessage(3, LogLevel.Information, "Restream {Name} to {Destination} stopped")]
        public static partial void Stopped(ILogger logger, string name, string destination);
    }
}
