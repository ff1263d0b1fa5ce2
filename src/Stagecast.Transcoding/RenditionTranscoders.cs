using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stagecast.FfmpegProcesses;
using Stagecast.Streaming;
using Stagecast.Streaming.Logging;
using Stagecast.Streaming.Renditions;
using Stagecast.Transcoding.Encoders;

namespace Stagecast.Transcoding;

/// <summary>
/// Encodes live streams' ladders: an observer of the hub that, when a stream starts, asks for its ladder and, when
/// that has encodes, runs a <see cref="RenditionTranscoder"/> for the stream's life; and the one place that knows each
/// encode's state (<see cref="IRenditionStatus"/>), which it counts, logs (rate-limited) and announces.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "A CancellationTokenSource with no timer and no links holds nothing to dispose; transcoders hold its token until they end")]
public sealed class RenditionTranscoders(
    RenditionHub renditions,
    IRenditionLadders ladders,
    EncoderProbe encoders,
    RenditionQuota quota,
    FfmpegLauncher ffmpeg,
    IOptions<TranscodeOptions> options,
    TimeProvider time,
    ILogger<RenditionTranscoders> logger) : IHubStreamObserver, IRenditionStatus, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, RenditionTranscoder> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _tasks = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly LogLimiter _stateLines = new(time);
    private readonly LogLimiter _refusalLines = new(time);
    private int _disposed;

    public event Action<RenditionStatus>? Changed;

    internal FfmpegLauncher Ffmpeg => ffmpeg;

    internal RenditionQuota Quota => quota;

    internal TranscodeOptions Options => options.Value;

    internal TimeProvider Time => time;

    internal ILogger Logger => logger;

    public IReadOnlyList<RenditionStatus> Of(string livestreamId) =>
        _running.TryGetValue(livestreamId, out var transcoder) ? transcoder.Statuses() : [];

    /// <summary>The running ffmpeg of a stream's renditions, if one runs (diagnostics and tests).</summary>
    public int? ProcessIdOf(string livestreamId) => _running.TryGetValue(livestreamId, out var transcoder) ? transcoder.ProcessId : null;

    /// <summary>How many times a stream's ffmpeg was started again after it died.</summary>
    public int RestartsOf(string livestreamId) => _running.TryGetValue(livestreamId, out var transcoder) ? transcoder.Restarts : 0;

    public void OnStreamStarted(HubStream stream)
    {
        var task = Task.Run(() => TranscodeAsync(stream));
        _tasks[task] = 0;
        task.ContinueWith(t => _tasks.TryRemove(t, out _), TaskScheduler.Default);
    }

    /// <summary>Stops every transcoder (their ffmpeg with them). The container calls it once for each service this is registered as.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }

        await Task.WhenAll(_tasks.Keys).ConfigureAwait(false);
    }

    /// <summary>Publishes a rendition's stream; one left over from the livestream's last session, still ending, is ended first.</summary>
    internal Publisher Publish(string livestreamId, Rendition rendition)
    {
        string id = RenditionHub.StreamId(livestreamId, rendition);
        var info = new PublisherInfo("transcoder", "127.0.0.1");
        if (renditions.Hub.TryPublish(id, info, out var publisher) == PublishResult.AlreadyPublishing)
        {
            renditions.Hub.Stop(id, "a new session of the livestream started");
            renditions.Hub.TryPublish(id, info, out publisher);
        }

        return publisher ?? throw new InvalidOperationException($"rendition stream {id} could not be published");
    }

    /// <summary>Counts, logs (a lagging rendition and its return; rate-limited) and announces a change of state.</summary>
    internal void OnStateChanged(RenditionStatus status, RenditionState from, TimeSpan behind)
    {
        if (status.State == RenditionState.Live)
        {
            TranscodeMetrics.RenditionLive();
        }
        else if (from == RenditionState.Live)
        {
            TranscodeMetrics.RenditionNotLive();
        }

        if (status.State == RenditionState.Lagging)
        {
            TranscodeMetrics.Lagging.Add(1);
        }

        if ((status.State, from) is (RenditionState.Lagging, _) or (RenditionState.Live, RenditionState.Lagging) && _stateLines.TryLog(out long suppressed))
        {
            if (status.State == RenditionState.Lagging)
            {
                TranscodeLog.Lagging(logger, status.LivestreamId, status.Rendition.Name, behind.TotalSeconds, suppressed);
            }
            else
            {
                TranscodeLog.CaughtUp(logger, status.LivestreamId, status.Rendition.Name, behind.TotalSeconds, suppressed);
            }
        }

        Changed?.Invoke(status);
    }

    /// <summary>A stream's encodes were refused (a quota): counted, logged (rate-limited) and announced, each with why.</summary>
    internal void OnRefused(IReadOnlyList<RenditionStatus> refused)
    {
        TranscodeMetrics.Refused.Add(refused.Count);
        if (_refusalLines.TryLog(out long suppressed))
        {
            TranscodeLog.Refused(logger, refused[0].LivestreamId, string.Join(", ", refused.Select(r => r.Rendition.Name)), refused[0].Reason!, suppressed);
        }

        foreach (var status in refused)
        {
            Changed?.Invoke(status);
        }
    }

    private async Task TranscodeAsync(HubStream stream)
    {
        try
        {
            var ladder = await ladders.LadderAsync(stream.Id, stream.Ending).ConfigureAwait(false);
            if (ladder.Renditions.All(r => r.IsSource))
            {
                return;
            }

            var transcoder = new RenditionTranscoder(stream, ladder, await encoders.EncoderAsync().ConfigureAwait(false), this);
            _running[stream.Id] = transcoder;
            try
            {
                await transcoder.RunAsync(_stopping.Token).ConfigureAwait(false);
                if (transcoder.Refused)
                {
                    await WhileLiveAsync(stream).ConfigureAwait(false); // its refused encodes stay listed, saying why
                }
            }
            finally
            {
                _running.TryRemove(new KeyValuePair<string, RenditionTranscoder>(stream.Id, transcoder)); // its run gave its encodes back
            }
        }
        catch (OperationCanceledException) when (stream.Ending.IsCancellationRequested || _stopping.IsCancellationRequested)
        {
            // the stream ended, or the server stops, before its ladder was known
        }
        catch (Exception ex)
        {
            TranscodeLog.Failed(logger, ex, stream.Id);
        }
    }

    /// <summary>Returns when the stream ends or the server stops.</summary>
    private async Task WhileLiveAsync(HubStream stream)
    {
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(stream.Ending, _stopping.Token);
        await Task.Delay(Timeout.InfiniteTimeSpan, time, ended.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
