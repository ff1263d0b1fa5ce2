using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;
using Stagecast.Media;
using Stagecast.Streaming;
using Stagecast.Streaming.Logging;

namespace Stagecast.Server.Features.Thumbnails;

/// <summary>
/// The pictures of the live streams, one per stream, width and keyframe: made from the stream's newest keyframe by
/// <see cref="KeyframeDecoder"/> and kept, so a picture asked for again is answered from memory; a newer keyframe's is
/// made once the kept one is <see cref="ThumbnailOptions.RefreshInterval"/> old. While it is being made the kept one
/// answers (a dashboard polling a hundred streams waits for none of them); only a request with no picture yet waits.
/// At most <see cref="ThumbnailOptions.MaxConcurrentDecodes"/> ffmpegs run at once, and at most
/// <see cref="MaxPendingDecodes"/> decodes wait for one; a keyframe whose picture could not be made is not tried again.
/// A stream's pictures go when it ends. Decoding reads a reference to the keyframe and nothing else of the stream: a
/// failure never reaches it.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "A SemaphoreSlim whose wait handle is never asked for holds nothing to dispose; a decode still running as the server stops releases it")]
public sealed partial class ThumbnailService : IHubStreamObserver
{
    /// <summary>
    /// Widths kept per stream: every one a picture may be made at, so that asking for each in turn answers from memory
    /// rather than dropping one to make it again (the least recently asked would go first past it).
    /// </summary>
    public static readonly int MaxWidthsPerStream = ThumbnailWidth.Sizes.Length;

    /// <summary>Decodes running or waiting for one of the running places: a hundred streams' first pictures at once, twice.</summary>
    public const int MaxPendingDecodes = 200;

    private readonly ConcurrentDictionary<string, StreamPictures> _streams = new(StringComparer.Ordinal);
    private readonly KeyframeDecoder _decoder;
    private readonly ThumbnailOptions _options;
    private readonly ThumbnailMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _decodes;
    private readonly LogLimiter _failures;
    private int _pending;

    public ThumbnailService(KeyframeDecoder decoder, IOptions<ThumbnailOptions> options, ThumbnailMetrics metrics, TimeProvider time, ILogger<ThumbnailService> logger)
    {
        _decoder = decoder;
        _options = options.Value;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _decodes = new SemaphoreSlim(_options.MaxConcurrentDecodes);
        _failures = new LogLimiter(time);
    }

    /// <summary>Decodes running or waiting to (diagnostics and tests).</summary>
    public int PendingDecodes => Volatile.Read(ref _pending);

    /// <summary>
    /// The picture of the stream's newest keyframe <paramref name="width"/> pixels wide (its source's width when
    /// narrower), or of an older one while the newest one's is made; null when none could be made (none yet, ffmpeg
    /// failing, too many decodes waiting).
    /// </summary>
    public async Task<ThumbnailPicture?> GetAsync(HubStream stream, int width, CancellationToken cancellationToken)
    {
        long newest = stream.KeyframeCount;
        if (newest == 0 || stream.Video is not { } video)
        {
            return null;
        }

        width = ThumbnailWidth.For(width, video.Width);
        var pictures = PicturesOf(stream);
        Task<ThumbnailPicture?> making;
        lock (pictures.Sync)
        {
            var slot = pictures.Slot(width);
            if (slot.Latest is { } latest && (latest.Keyframe == newest || _time.GetElapsedTime(slot.MadeAt) < _options.RefreshInterval))
            {
                _metrics.Cached();
                return latest;
            }

            if (slot.Making is null && slot.Failed != newest && TryReserveDecode())
            {
                slot.Making = Task.Run(() => MakeAsync(stream, pictures, slot, newest));
            }

            if (slot.Latest is { } previous)
            {
                _metrics.Previous();
                return previous;
            }

            if (slot.Making is null)
            {
                return null;
            }

            making = slot.Making;
        }

        var made = await making.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (made is not null)
        {
            _metrics.Decoded();
        }

        return made;
    }

    public void OnStreamEnded(HubStream stream)
    {
        if (_streams.TryGetValue(stream.Id, out var pictures) && pictures.Stream == stream)
        {
            _streams.TryRemove(KeyValuePair.Create(stream.Id, pictures));
        }
    }

    private StreamPictures PicturesOf(HubStream stream)
    {
        while (true)
        {
            _streams.TryGetValue(stream.Id, out var current);
            if (current?.Stream == stream)
            {
                return current;
            }

            var fresh = new StreamPictures(stream);
            if (current is null ? _streams.TryAdd(stream.Id, fresh) : _streams.TryUpdate(stream.Id, fresh, current))
            {
                if (stream.State == HubStreamState.Ended)
                {
                    OnStreamEnded(stream); // it ended while its pictures were added: they go now
                }

                return fresh;
            }
        }
    }

    private bool TryReserveDecode()
    {
        if (Interlocked.Increment(ref _pending) <= MaxPendingDecodes)
        {
            return true;
        }

        Interlocked.Decrement(ref _pending);
        return false;
    }

    /// <summary>Makes the picture of the stream's newest keyframe for one slot; <paramref name="asked"/> is the keyframe the request saw.</summary>
    private async Task<ThumbnailPicture?> MakeAsync(HubStream stream, StreamPictures pictures, PictureSlot slot, long asked)
    {
        ThumbnailPicture? made = null;
        long tried = asked;
        try
        {
            using var deadline = new CancellationTokenSource(_options.DecodeTimeout, _time);
            await _decodes.WaitAsync(deadline.Token).ConfigureAwait(false);
            try
            {
                using var keyframe = stream.TakeLatestKeyframe();
                if (keyframe is null)
                {
                    return null; // the stream ended
                }

                tried = keyframe.Number;
                int width = ThumbnailWidth.For(slot.Width, keyframe.Config.Width);
                byte[] jpeg = await _decoder.DecodeAsync(keyframe, width, deadline.Token).ConfigureAwait(false);
                made = new ThumbnailPicture(jpeg, keyframe.Number, $"\"{stream.StartedAt.ToUnixTimeMilliseconds():x}-{keyframe.Number:x}-{width}\"");
                _metrics.Decode(ok: true);
            }
            finally
            {
                _decodes.Release();
            }
        }
        catch (OperationCanceledException)
        {
            Failed(stream, $"none within {_options.DecodeTimeout.TotalSeconds:0.#} s (Stagecast:Thumbnails:DecodeTimeout)");
        }
        catch (Exception ex) when (ex is IOException or MediaFormatException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            Failed(stream, ex.Message); // the keyframe (malformed), ffmpeg (failed, missing) or the server (stopping)
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
            lock (pictures.Sync)
            {
                if (made is null)
                {
                    slot.Failed = tried;
                }
                else if (slot.Latest is null || made.Keyframe > slot.Latest.Keyframe)
                {
                    (slot.Latest, slot.MadeAt) = (made, _time.GetTimestamp());
                }

                slot.Making = null;
            }
        }

        return made;
    }

    private void Failed(HubStream stream, string reason)
    {
        _metrics.Decode(ok: false);
        if (_failures.TryLog(out long suppressed))
        {
            Log.NoPicture(_logger, stream.Id, reason, suppressed);
        }
    }

    /// <summary>A stream's pictures, by width; locked while read or changed.</summary>
    private sealed class StreamPictures(HubStream stream)
    {
        private readonly List<PictureSlot> _slots = [];

        public HubStream Stream => stream;

        public Lock Sync { get; } = new();

        /// <summary>The slot of a width, made the most recently used (the least recently used is dropped past the limit).</summary>
        public PictureSlot Slot(int width)
        {
            int index = _slots.FindIndex(s => s.Width == width);
            var slot = index >= 0 ? _slots[index] : new PictureSlot(width);
            if (index >= 0)
            {
                _slots.RemoveAt(index);
            }
            else if (_slots.Count == MaxWidthsPerStream)
            {
                _slots.RemoveAt(0);
            }

            _slots.Add(slot);
            return slot;
        }
    }

    /// <summary>One width's newest picture and when it was made, the decode under way, and the keyframe that could not be made.</summary>
    private sealed class PictureSlot(int width)
    {
        public int Width => width;

        public ThumbnailPicture? Latest { get; set; }

        /// <summary>When <see cref="Latest"/> was made (<see cref="TimeProvider.GetTimestamp"/>).</summary>
        public long MadeAt { get; set; }

        public Task<ThumbnailPicture?>? Making { get; set; }

        public long Failed { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "No thumbnail of stream {StreamId}: {Reason} ({Suppressed} more such lines left out)")]
        public static partial void NoPicture(ILogger logger, string streamId, string reason, long suppressed);
    }
}
