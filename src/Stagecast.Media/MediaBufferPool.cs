using System.Buffers;
using System.Collections.Concurrent;
using System.Numerics;

namespace Stagecast.Media;

/// <summary>
/// The pool for payloads of live media: RTMP messages becoming frames, frames held in the GOP caches, LL-HLS parts.
/// <see cref="ArrayPool{T}.Shared"/> keeps a few dozen arrays per size and core; a live server holds thousands
/// (every stream's last second of frames, every part of the playlist windows) and frees them a GOP at a time, so
/// most of them fell out of that pool and each new message allocated again: fresh pages for the GC to fault in and
/// zero, a tenth of the CPU at 100 publishers (bench/README.md). This pool keeps what is returned, whatever thread
/// returns it, up to <see cref="MaxRetainedBytes"/> in all. Lengths are powers of two from 256 bytes, so its
/// arrays may also go back to <see cref="ArrayPool{T}.Shared"/> and the other way round.
/// </summary>
public sealed class MediaBufferPool : ArrayPool<byte>
{
    private const int MinShift = 8;
    private const int MaxShift = 23; // MediaLimits.MaxMediaMessageSize
    private readonly ConcurrentQueue<byte[]>[] _classes = [.. Enumerable.Range(0, MaxShift - MinShift + 1).Select(_ => new ConcurrentQueue<byte[]>())];
    private long _retained;
    private long _allocated;

    public MediaBufferPool(long maxRetainedBytes) => MaxRetainedBytes = maxRetainedBytes;

    /// <summary>
    /// The process's pool of media payloads: it keeps up to a sixteenth of the memory the process may use, from 64 to
    /// 256 MiB. 100 publishers of 2.5 Mbit/s free about 64 MiB at a time (a GOP per stream, LL-HLS parts leaving the
    /// playlist windows); with less the pool thrashed (bench/README.md).
    /// </summary>
    public static new MediaBufferPool Shared { get; } = new(Math.Clamp(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 16, 64L << 20, 256L << 20));

    /// <summary>What the pool keeps at most, in bytes of arrays waiting to be rented again.</summary>
    public long MaxRetainedBytes { get; }

    /// <summary>Bytes of arrays kept for reuse now.</summary>
    public long RetainedBytes => Interlocked.Read(ref _retained);

    /// <summary>Arrays allocated because the pool had none of the size asked for.</summary>
    public long Allocated => Interlocked.Read(ref _allocated);

    /// <summary>An array of at least <paramref name="minimumLength"/> bytes (not cleared), its length a power of two.</summary>
    public override byte[] Rent(int minimumLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minimumLength);
        int shift = ShiftFor(minimumLength);
        if (shift <= MaxShift && _classes[shift - MinShift].TryDequeue(out var array))
        {
            Interlocked.Add(ref _retained, -array.Length);
            return array;
        }

        if (shift <= MaxShift)
        {
            MakeRoom(shift);
        }

        Interlocked.Increment(ref _allocated);
        return GC.AllocateUninitializedArray<byte>(shift <= 30 ? 1 << shift : minimumLength);
    }

    /// <summary>Keeps the array for reuse while the pool holds less than <see cref="MaxRetainedBytes"/>; drops it otherwise.</summary>
    public override void Return(byte[] array, bool clearArray = false)
    {
        ArgumentNullException.ThrowIfNull(array);
        int length = array.Length;
        if (!BitOperations.IsPow2(length) || length < 1 << MinShift || length > 1 << MaxShift)
        {
            return; // not one of ours: the GC takes it
        }

        if (Interlocked.Add(ref _retained, length) > MaxRetainedBytes)
        {
            Interlocked.Add(ref _retained, -length);
            return;
        }

        if (clearArray)
        {
            Array.Clear(array);
        }

        _classes[BitOperations.Log2((uint)length) - MinShift].Enqueue(array);
    }

    /// <summary>Lets go of every kept array (when the last live stream has ended).</summary>
    public void Trim()
    {
        foreach (var queue in _classes)
        {
            while (queue.TryDequeue(out var array))
            {
                Interlocked.Add(ref _retained, -array.Length);
            }
        }
    }

    /// <summary>
    /// After a miss, lets go of arrays of other sizes until this one's array fits when it comes back: a pool full of
    /// the sizes of streams that have ended (720p keyframes) would otherwise refuse every array the streams of
    /// today need (360p audio), and they would all be allocated again.
    /// </summary>
    private void MakeRoom(int shift)
    {
        long needed = 1L << shift;
        for (int other = MaxShift; other >= MinShift && RetainedBytes + needed > MaxRetainedBytes; other--)
        {
            while (other != shift && RetainedBytes + needed > MaxRetainedBytes && _classes[other - MinShift].TryDequeue(out var array))
            {
                Interlocked.Add(ref _retained, -array.Length);
            }
        }
    }

    private static int ShiftFor(int length) => Math.Max(MinShift, BitOperations.Log2((uint)Math.Max(length, 1) - 1) + 1);
}
