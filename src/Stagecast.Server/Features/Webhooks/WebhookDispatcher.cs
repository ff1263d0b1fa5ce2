using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Security;

namespace Stagecast.Server.Features.Webhooks;

/// <summary>
/// Delivers the outbox. Each webhook is a queue: its deliveries go out one at a time in the order their events
/// happened, so a slow or dead receiver holds up only itself; across webhooks at most
/// <see cref="WebhookOptions.MaxConcurrency"/> are in flight. It wakes when events are committed or a delivery
/// finishes, and otherwise sleeps until the next retry is due: a server with nothing pending sleeps until it has
/// (or, once an hour, until the history purge). In a cluster it also looks every few seconds for what other nodes left.
/// </summary>
public sealed partial class WebhookDispatcher(
    IWebhookStore store,
    WebhookSigner signer,
    WebhookSignal signal,
    WebhookMetrics metrics,
    IOptions<WebhookOptions> options,
    DestinationPolicy destinations,
    NodeIdentity node,
    TimeProvider time,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    private static readonly TimeSpan ClusterIdleCheck = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan AfterError = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan PurgeInterval = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a stop waits for the attempts in flight: a receiver that has the request usually answers at once, and
    /// an answer recorded is a delivery not sent again after the restart.
    /// </summary>
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);

    /// <summary>A receiver's Retry-After is honoured up to this.</summary>
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromHours(1);
    private readonly WebhookOptions _options = options.Value;

    /// <summary>How long a claim keeps other nodes off a delivery: an attempt's timeout and then some.</summary>
    private TimeSpan ClaimTime => (_options.Timeout * 2) + TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, byte> _inFlight = new(StringComparer.Ordinal);

    // When each webhook's last delivery finished, as a count of finished deliveries: a scan whose listing began
    // before that saw the delivery still pending and must not start it again.
    private readonly ConcurrentDictionary<string, long> _finishedAt = new(StringComparer.Ordinal);
    private long _finished;
    private readonly HttpClient _http = new(destinations.HttpHandler(options.Value.AllowPrivate, "--webhooks-allow-private", options.Value.Timeout))
    {
        Timeout = Timeout.InfiniteTimeSpan, // each attempt has its own timeout
    };
    private SemaphoreSlim? _slots;
    private DateTimeOffset _nextPurge;

    // A stop lets the deliveries in flight (_inFlight) finish, for up to StopGrace, before it abandons them.
    private readonly CancellationTokenSource _abandon = new();
    private TaskCompletionSource? _drained;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _slots = new SemaphoreSlim(_options.MaxConcurrency);
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                var due = await StartDueDeliveriesAsync(stoppingToken).ConfigureAwait(false);
                await PurgeHistoryAsync(stoppingToken).ConfigureAwait(false);
                wait = Wait(due, _nextPurge, time.GetUtcNow(), node.IsClustered);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                Log.ScanFailed(logger, ex);
                wait = AfterError;
            }

            await signal.WaitAsync(wait, time, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Starts no more deliveries, then lets the ones in flight finish: cancelling a request the receiver already has
    /// would leave its delivery pending, to go again (the same webhook-id) after the restart.
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _drained, drained); // a full fence: _inFlight is read after it is published
        if (_inFlight.IsEmpty)
        {
            return;
        }

        Log.StopWaits(logger, _inFlight.Count, StopGrace.TotalSeconds);
        try
        {
            await drained.Task.WaitAsync(StopGrace, time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            await _abandon.CancelAsync().ConfigureAwait(false); // they stay pending and go out after the restart
        }
    }

    public override void Dispose()
    {
        _http.Dispose();
        _abandon.Dispose();
        base.Dispose();
    }

    /// <summary>
    /// How long the dispatcher sleeps unless woken: until the next retry is due (<paramref name="nextRetry"/>, null when
    /// nothing waits for one) or the next purge, whichever comes first. A node is woken by the events it commits and the
    /// deliveries it finishes, so nothing else needs a look; in a cluster it looks for other nodes' every few seconds too,
    /// since nothing wakes it for them (a node that died before sending its own leaves them to the others).
    /// </summary>
    internal static TimeSpan Wait(DateTimeOffset? nextRetry, DateTimeOffset nextPurge, DateTimeOffset now, bool clustered)
    {
        var wake = nextRetry is { } retry && retry < nextPurge ? retry : nextPurge;
        var wait = wake > now ? wake - now : TimeSpan.Zero;
        return clustered && wait > ClusterIdleCheck ? ClusterIdleCheck : wait;
    }

    /// <summary>Starts the due head of every idle webhook; returns when the next one not started is due (null: none waits).</summary>
    private async Task<DateTimeOffset?> StartDueDeliveriesAsync(CancellationToken stopping)
    {
        DateTimeOffset? next = null;
        var now = time.GetUtcNow();
        long listedAfter = Interlocked.Read(ref _finished);
        foreach (var head in await store.ListHeadsAsync(stopping).ConfigureAwait(false))
        {
            if (_inFlight.ContainsKey(head.WebhookId))
            {
                continue; // its queue is busy; the delivery in flight signals when done
            }

            if (_finishedAt.TryGetValue(head.WebhookId, out long finished) && finished > listedAfter)
            {
                continue; // listed before its queue's last delivery was recorded: stale; that delivery's signal scans again
            }

            if (head.NextAttemptAt > now)
            {
                next = next is { } earlier && earlier < head.NextAttemptAt ? earlier : head.NextAttemptAt;
                continue;
            }

            if (!_slots!.Wait(0, CancellationToken.None)) // a try, never a wait
            {
                break; // every slot busy; a delivery finishing signals
            }

            // Several nodes share the outbox (one node needs no claims): the one that claims the head sends it; a node that dies mid-attempt leaves
            // its claim to expire, and the delivery goes again (same webhook-id) from whichever node claims it next.
            if (node.IsClustered && !await store.TryClaimAsync(head.Id, node.Id, now + ClaimTime, now, stopping).ConfigureAwait(false))
            {
                _slots.Release();
                continue;
            }

            _inFlight.TryAdd(head.WebhookId, 0);
            _ = DeliverAsync(head, stopping);
        }

        return next;
    }

    /// <summary>Once an hour, deliveries older than the history period go.</summary>
    private async Task PurgeHistoryAsync(CancellationToken stopping)
    {
        var now = time.GetUtcNow();
        if (now >= _nextPurge)
        {
            _nextPurge = now + PurgeInterval;
            await store.PurgeAsync(now - _options.History, stopping).ConfigureAwait(false);
        }
    }

    private async Task DeliverAsync(DeliveryHead head, CancellationToken stopping)
    {
        try
        {
            var (eventId, eventName, body) = await store.LoadEventAsync(head.Id, stopping).ConfigureAwait(false);
            stopping.ThrowIfCancellationRequested(); // not sent yet: it waits for the restart
            var outcome = await AttemptAsync(head, eventId, body, _abandon.Token).ConfigureAwait(false);
            await store.RecordAttemptAsync(head.Id, outcome, time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
            metrics.Count(outcome.Status, outcome.NextAttemptAt is not null);
            if (outcome.Status != DeliveryStatus.Delivered)
            {
                Log.AttemptFailed(logger, eventName, eventId, head.WebhookId, outcome.Error ?? "", outcome.Status == DeliveryStatus.Failed ? "given up" : $"retry at {outcome.NextAttemptAt:O}");
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stopping.IsCancellationRequested)
        {
            Log.DeliveryFailed(logger, ex, head.Id); // stays pending; the next scan tries again
        }
        catch (OperationCanceledException)
        {
            // shutting down: the delivery stays pending and goes out after the restart
        }
        finally
        {
            _finishedAt[head.WebhookId] = Interlocked.Increment(ref _finished);
            _slots!.Release();
            _inFlight.TryRemove(head.WebhookId, out _);
            signal.Notify();
            if (_inFlight.IsEmpty)
            {
                Volatile.Read(ref _drained)?.TrySetResult();
            }
        }
    }

    private async Task<AttemptOutcome> AttemptAsync(DeliveryHead head, string eventId, byte[] body, CancellationToken abandoned)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, head.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add("rtk-signature", signer.Sign(body));
        request.Headers.Add("rtk-uuid", eventId);
        request.Headers.Add("rtk-webhook-id", head.WebhookId);
        request.Headers.UserAgent.ParseAdd("Stagecast-Webhooks/1.0");
        using var timeout = new CancellationTokenSource(_options.Timeout, time);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, abandoned);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token).ConfigureAwait(false);
            int code = (int)response.StatusCode;
            return code switch
            {
                >= 200 and < 300 => new AttemptOutcome(DeliveryStatus.Delivered, code, null, null),
                429 or >= 500 => Retry(head, code, $"HTTP {code}", RetryAfter(response)),
                >= 300 and < 400 => new AttemptOutcome(DeliveryStatus.Failed, code, $"HTTP {code}: redirects are not followed", null),
                _ => new AttemptOutcome(DeliveryStatus.Failed, code, $"HTTP {code}: the receiver refused the event; not retried", null),
            };
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !abandoned.IsCancellationRequested)
        {
            return Retry(head, null, $"no answer within {_options.Timeout.TotalSeconds:0.#} s", null);
        }
        catch (HttpRequestException ex) when (ex.InnerException is DestinationRefusedException refused)
        {
            return new AttemptOutcome(DeliveryStatus.Failed, null, refused.Message, null);
        }
        catch (HttpRequestException ex)
        {
            return Retry(head, null, ex.Message, null);
        }
    }

    /// <summary>Exponential backoff with ±20% jitter (or the receiver's Retry-After), until the retry period is over.</summary>
    private AttemptOutcome Retry(DeliveryHead head, int? code, string error, TimeSpan? retryAfter)
    {
        var now = time.GetUtcNow();
        if (now - head.CreatedAt >= _options.RetryFor)
        {
            return new AttemptOutcome(DeliveryStatus.Failed, code, $"{error}; gave up after {_options.RetryFor.TotalHours:0.#} h of retries", null);
        }

        double exponential = _options.InitialBackoff.TotalSeconds * Math.Pow(2, Math.Min(head.Attempts, 30));
        double seconds = Math.Min(exponential, _options.MaxBackoff.TotalSeconds) * (0.8 + (Random.Shared.NextDouble() * 0.4));
        var delay = retryAfter is { } asked ? (asked < MaxRetryAfter ? asked : MaxRetryAfter) : TimeSpan.FromSeconds(seconds);
        return new AttemptOutcome(DeliveryStatus.Pending, code, error, now + delay);
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - time.GetUtcNow() is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero,
        _ => null,
    };

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Webhook {WebhookId}: {Event} {EventId} not delivered ({Error}); {Next}")]
        public static partial void AttemptFailed(ILogger logger, string @event, string eventId, string webhookId, string error, string next);

        [LoggerMessage(2, LogLevel.Error, "Delivering webhook delivery {DeliveryId} failed; it stays pending")]
        public static partial void DeliveryFailed(ILogger logger, Exception exception, string deliveryId);

        [LoggerMessage(3, LogLevel.Error, "Looking for due webhook deliveries failed")]
        public static partial void ScanFailed(ILogger logger, Exception exception);

        [LoggerMessage(4, LogLevel.Information, "Stopping: waiting up to {Seconds} s for {Count} webhook deliveries in flight to be answered")]
        public static partial void StopWaits(ILogger logger, int count, double seconds);
    }
}
