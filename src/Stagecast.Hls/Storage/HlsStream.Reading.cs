using System.Diagnostics.CodeAnalysis;
using Stagecast.Media.Fmp4;

namespace Stagecast.Hls.Storage;

/// <summary>What HTTP requests read, or wait for: playlists (blocking reload), parts (preload hints), segments, init.</summary>
public sealed partial class HlsStream
{
    private int _blocked;

    /// <summary>
    /// Waits until the playlist satisfies a blocking reload (segment <paramref name="msn"/>, part
    /// <paramref name="part"/>). Without a position it waits for the first complete segment: players that do not
    /// speak LL-HLS (ffmpeg, VLC) ignore parts and find nothing to play in a playlist of parts alone.
    /// Returns null on timeout.
    /// </summary>
    public async ValueTask<PlaylistSnapshot?> WaitForPlaylistAsync(long? msn, int? part, CancellationToken cancellationToken)
    {
        long deadline = _time.GetTimestamp();
        while (true)
        {
            var snapshot = Snapshot;
            if (snapshot is not null && (snapshot.Ended || (msn is null ? snapshot.LastCompleteMsn >= 0 : snapshot.Satisfies(msn.Value, part))))
            {
                return snapshot;
            }

            if (IsEnded)
            {
                return snapshot;
            }

            if (!await WaitForChangeAsync(snapshot, deadline, cancellationToken).ConfigureAwait(false))
            {
                return null;
            }
        }
    }

    /// <summary>Finds a stored part and takes a reference to its buffer.</summary>
    public bool TryGetPart(long number, [NotNullWhen(true)] out PartBuffer? buffer) => TryGetPart(number, out buffer, out _);

    /// <summary>Finds a stored part, takes a reference to its buffer and tells where it sits on the timeline.</summary>
    public bool TryGetPart(long number, [NotNullWhen(true)] out PartBuffer? buffer, out (double Start, double End) media)
    {
        media = default;
        lock (_sync)
        {
            if (FindPartLocked(number) is { } part && part.Buffer.TryRetain())
            {
                buffer = part.Buffer;
                media = (part.MediaStart, part.MediaEnd);
                return true;
            }
        }

        buffer = null;
        return false;
    }

    /// <summary>The stored part of this number, or null (under the lock).</summary>
    private HlsPart? FindPartLocked(long number)
    {
        for (int i = _segments.Count - 1; i >= 0; i--)
        {
            var parts = _segments[i].Parts;
            if (parts.Count > 0 && parts[0].Number <= number)
            {
                long index = number - parts[0].Number;
                return index < parts.Count ? parts[(int)index] : null;
            }
        }

        return null;
    }

    /// <summary>
    /// Returns a part, waiting for it when it is the next one to be written (the preload hint). Null when it
    /// does not exist, will not exist, or did not appear in time.
    /// </summary>
    public async ValueTask<MediaBuffers?> WaitForPartAsync(long number, CancellationToken cancellationToken)
    {
        long deadline = _time.GetTimestamp();
        while (true)
        {
            var snapshot = Snapshot;
            if (TryGetPart(number, out var buffer, out var media))
            {
                return new MediaBuffers([buffer], media.Start, media.End);
            }

            if (IsEnded || number != Volatile.Read(ref _nextPartNumber))
            {
                return null;
            }

            if (!await WaitForChangeAsync(snapshot, deadline, cancellationToken).ConfigureAwait(false))
            {
                return null;
            }
        }
    }

    /// <summary>
    /// Returns the parts of a complete segment with a reference taken on each, waiting while it is the open one.
    /// </summary>
    public async ValueTask<MediaBuffers?> WaitForSegmentAsync(long msn, CancellationToken cancellationToken)
    {
        long deadline = _time.GetTimestamp();
        while (true)
        {
            var snapshot = Snapshot;
            bool open;
            lock (_sync)
            {
                var segment = _segments.Find(s => s.Msn == msn);
                if (segment is not null && segment.Info.IsComplete && segment.Parts.Count > 0 && RetainAll(segment) is { } buffers)
                {
                    return new MediaBuffers(buffers, segment.Parts[0].MediaStart, segment.Parts[^1].MediaEnd);
                }

                open = segment is not null && segment == _open;
            }

            if (!open || IsEnded || !await WaitForChangeAsync(snapshot, deadline, cancellationToken).ConfigureAwait(false))
            {
                return null;
            }
        }
    }

    public bool TryGetInit(int mapId, [NotNullWhen(true)] out byte[]? bytes, out TrackLayout layout)
    {
        lock (_sync)
        {
            if (_inits.TryGetValue(mapId, out var init))
            {
                bytes = init.Bytes;
                layout = init.Layout;
                return true;
            }
        }

        bytes = null;
        layout = default;
        return false;
    }

    /// <summary>
    /// Bits per second for BANDWIDTH (RFC 8216bis 4.4.6.2: the peak segment bit rate): the highest over the complete
    /// segments held, or the average of the parts so far before the first segment completes.
    /// </summary>
    public long MeasuredPeakBitrate()
    {
        lock (_sync)
        {
            double peak = 0;
            long partBytes = 0;
            double partSeconds = 0;
            foreach (var segment in _segments)
            {
                if (segment.Info.IsComplete && segment.Info.Duration > 0)
                {
                    peak = Math.Max(peak, segment.Size * 8 / segment.Info.Duration);
                }

                foreach (var part in segment.Parts)
                {
                    partBytes += part.Buffer.Length;
                    partSeconds += part.Duration;
                }
            }

            if (peak == 0 && partSeconds > 0)
            {
                peak = partBytes * 8 / partSeconds;
            }

            return (long)peak;
        }
    }

    /// <summary>Bits per second over the complete segments held (AVERAGE-BANDWIDTH); null before the first completes.</summary>
    public long? MeasuredAverageBitrate()
    {
        lock (_sync)
        {
            long bytes = 0;
            double seconds = 0;
            foreach (var segment in _segments)
            {
                if (segment.Info.IsComplete && segment.Parts.Count > 0)
                {
                    bytes += segment.Size;
                    seconds += segment.Info.Duration;
                }
            }

            return seconds > 0 ? (long)(bytes * 8 / seconds) : null;
        }
    }

    private static PartBuffer[]? RetainAll(HlsSegment segment)
    {
        var buffers = new PartBuffer[segment.Parts.Count];
        for (int i = 0; i < buffers.Length; i++)
        {
            if (!segment.Parts[i].Buffer.TryRetain())
            {
                for (int j = 0; j < i; j++)
                {
                    buffers[j].Release();
                }

                return null;
            }

            buffers[i] = segment.Parts[i].Buffer;
        }

        return buffers;
    }

    /// <summary>Waits for the snapshot after <paramref name="seen"/>; false when the blocking timeout has passed.</summary>
    private async ValueTask<bool> WaitForChangeAsync(PlaylistSnapshot? seen, long startedAt, CancellationToken cancellationToken)
    {
        var remaining = _options.BlockingTimeout - _time.GetElapsedTime(startedAt);
        if (remaining <= TimeSpan.Zero)
        {
            return false;
        }

        Task changed;
        lock (_sync)
        {
            changed = seen is not null && seen != _snapshot ? Task.CompletedTask : _changed.Task;
        }

        Interlocked.Increment(ref _blocked);
        try
        {
            await changed.WaitAsync(remaining, _time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        finally
        {
            Interlocked.Decrement(ref _blocked);
        }
    }

    /// <summary>Requests waiting now for the playlist, a part or a segment to appear (blocking reloads, preload hints).</summary>
    public int BlockedRequests => Volatile.Read(ref _blocked);
}
