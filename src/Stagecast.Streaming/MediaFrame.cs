using System.Collections.Concurrent;
using System.Diagnostics;
using Stagecast.Media;

namespace Stagecast.Streaming;

/// <summary>
/// One unit of a live stream shared by every reader without copying: the payload lives in a buffer rented from
/// <see cref="MediaBufferPool"/>, and the frame object itself is pooled. Each holder calls <see cref="Release"/>
/// once; the last release returns both to their pools. Timestamps are in milliseconds, as on RTMP.
/// </summary>
public sealed class MediaFrame
{
    private const int MaxPooledFrames = 16384;
    private static readonly ConcurrentQueue<MediaFrame> Pool = new();
    private static int _pooledCount;

    private byte[]? _array;
    private int _refCount;

    private MediaFrame()
    {
    }

    public MediaFrameKind Kind { get; private set; }

    /// <summary>Decode timestamp in milliseconds on the stream's monotonic timeline.</summary>
    public long Timestamp { get; internal set; }

    /// <summary>Presentation minus decode time in milliseconds (B-frames make it positive).</summary>
    public int CompositionOffset { get; private set; }

    public bool IsKeyframe { get; private set; }

    /// <summary>When the stream accepted the frame (<see cref="TimeProvider.GetTimestamp"/> ticks), for latency figures.</summary>
    public long ReceivedAt { get; internal set; }

    /// <summary>Configuration, metadata or event detail for non-media kinds.</summary>
    public object? Detail { get; private set; }

    public int Length { get; private set; }

    private int Offset { get; set; }

    public bool IsMedia => Kind is MediaFrameKind.Video or MediaFrameKind.Audio;

    public ReadOnlySpan<byte> Span => _array is null ? default : _array.AsSpan(Offset, Length);

    public ReadOnlyMemory<byte> Memory => _array is null ? default : _array.AsMemory(Offset, Length);

    /// <summary>How many hold this frame now (for leak checks: a frame someone still holds is never recycled).</summary>
    public int Holders => Volatile.Read(ref _refCount);

    /// <summary>
    /// Wraps a buffer rented from <see cref="MediaBufferPool"/>; the frame takes ownership of it and returns it
    /// when released.
    /// </summary>
    public static MediaFrame FromPooledBuffer(MediaFrameKind kind, byte[] pooledArray, int offset, int length, long timestamp, int compositionOffset, bool isKeyframe)
    {
        Debug.Assert(kind is MediaFrameKind.Video or MediaFrameKind.Audio);
        var frame = Rent();
        frame.Kind = kind;
        frame._array = pooledArray;
        frame.Offset = offset;
        frame.Length = length;
        frame.Timestamp = timestamp;
        frame.CompositionOffset = compositionOffset;
        frame.IsKeyframe = isKeyframe;
        return frame;
    }

    /// <summary>Copies a payload into a pooled buffer.</summary>
    public static MediaFrame Copy(MediaFrameKind kind, ReadOnlySpan<byte> payload, long timestamp, int compositionOffset, bool isKeyframe)
    {
        byte[] array = MediaBufferPool.Shared.Rent(Math.Max(payload.Length, 1));
        payload.CopyTo(array);
        return FromPooledBuffer(kind, array, 0, payload.Length, timestamp, compositionOffset, isKeyframe);
    }

    /// <summary>A configuration, metadata or event frame without payload.</summary>
    public static MediaFrame Control(MediaFrameKind kind, object? detail, long timestamp)
    {
        Debug.Assert(kind is not (MediaFrameKind.Video or MediaFrameKind.Audio));
        var frame = Rent();
        frame.Kind = kind;
        frame.Detail = detail;
        frame.Timestamp = timestamp;
        return frame;
    }

    /// <summary>Adds a holder; returns this frame for chaining.</summary>
    public MediaFrame Retain()
    {
        int count = Interlocked.Increment(ref _refCount);
        Debug.Assert(count > 1, "retained a released frame");
        return this;
    }

    public void Release()
    {
        int count = Interlocked.Decrement(ref _refCount);
        if (count > 0)
        {
            return;
        }

        if (count < 0)
        {
            throw new InvalidOperationException("MediaFrame released more often than retained");
        }

        if (_array is not null)
        {
            MediaBufferPool.Shared.Return(_array);
            _array = null;
        }

        Detail = null;
        Length = 0;
        if (Interlocked.Increment(ref _pooledCount) <= MaxPooledFrames)
        {
            Pool.Enqueue(this);
        }
        else
        {
            Interlocked.Decrement(ref _pooledCount);
        }
    }

    private static MediaFrame Rent()
    {
        if (Pool.TryDequeue(out var frame))
        {
            Interlocked.Decrement(ref _pooledCount);
        }
        else
        {
            frame = new MediaFrame();
        }

        frame._refCount = 1;
        frame.CompositionOffset = 0;
        frame.IsKeyframe = false;
        frame.Offset = 0;
        return frame;
    }
}
