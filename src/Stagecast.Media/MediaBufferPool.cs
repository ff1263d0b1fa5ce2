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
/// returns it, up to <see cref="MaxRetainedBytes"/> in all.
/// <para>
/// Lengths are fitted: four sizes per power of two (5, 6, 7 and 8 eighths of it, from 256 bytes), so an array is at
/// most a quarter longer than asked. Powers of two alone could cost up to twice a stream's window (a 130 KB part took
/// 256 KB), and the window is most of a stream's memory (bench/README.md, "Memory per stream"). Its arrays therefore
/// never go to <see cref="ArrayPool{T}.Shared"/>, which refuses other lengths; that
/// pool's arrays may come here.
/// </para>
/// </summary>
public sealed class MediaBufferPool : ArrayPool<byte>
{
    private const int MinShift = 8;
    private const int MaxShift = 23; // MediaLimits.MaxMediaMessageSize
    private const int SizesPerShift = 4; // 5/8, 6/8, 7/8 and 8/8 of the power of two

    /// <summary>On a miss, how many of the next sizes up may serve a rent before an array is allocated.</summary>
    private const int LargerSizesTried = 2;

    private readonly ConcurrentQueue<byte[]>[] _classes = [.. Enumerable.Range(0, (MaxShift - MinShift + 1) * SizesPerShift).Select(_ => new ConcurrentQueue<byte[]>())];
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

    /// <summary>An array of at least <paramref name="minimumLength"/> bytes (not cleared), at most a quarter longer.</summary>
    public override byte[] Rent(int minimumLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minimumLength);
        int index = ClassFor(minimumLength);
        if (index < 0)
        {
            Interlocked.Increment(ref _allocated);
            return GC.AllocateUninitializedArray<byte>(minimumLength);
        }

        for (int larger = index; larger < Math.Min(index + LargerSizesTried + 1, _classes.Length); larger++)
        {
            if (_classes[larger].TryDequeue(out var array))
            {
                Interlocked.Add(ref _retained, -array.Length);
                return array;
            }
        }

        MakeRoom(index);
        Interlocked.Increment(ref _allocated);
        return GC.AllocateUninitializedArray<byte>(LengthOf(index));
    }

    /// <summary>Keeps the array for reuse while the pool holds less than <see cref="MaxRetainedBytes"/>; drops it otherwise.</summary>
    public override void Return(byte[] array, bool clearArray = false)
    {
        ArgumentNullException.ThrowIfNull(array);
        int length = array.Length;
        int index = ClassFor(length);
        if (index < 0 || LengthOf(index) != length)
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

        _classes[index].Enqueue(array);
    }

    /// <summary>
    /// Lets go of every kept array and has the GC compact and give the freed pages back to the system: for when the last
    /// stream's media is gone (its playlist window included). Without the collection a server that had 50 streams kept
    /// their arrays' pages as garbage until load came again, and each new set of streams grew it by about 100 MiB
    /// (bench/README.md, "Memory per stream").
    /// </summary>
    public void ReturnToSystem()
    {
        Trim();
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
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
    private void MakeRoom(int index)
    {
        long needed = LengthOf(index);
        for (int other = _classes.Length - 1; other >= 0 && RetainedBytes + needed > MaxRetainedBytes; other--)
        {
            while (other != index && RetainedBytes + needed > MaxRetainedBytes && _classes[other].TryDequeue(out var array))
            {
                Interlocked.Add(ref _retained, -array.Length);
            }
        }
    }

    /// <summary>The class of the shortest array that holds <paramref name="length"/> bytes; -1 beyond the largest.</summary>
    private static int ClassFor(int length)
    {
        if (length <= 1 << MinShift)
        {
            return SizesPerShift - 1; // 256 bytes, the smallest
        }

        int shift = BitOperations.Log2((uint)length - 1) + 1; // 2^(shift-1) < length <= 2^shift
        if (shift > MaxShift)
        {
            return -1;
        }

        int eighths = (int)(((uint)length + (1u << (shift - 3)) - 1) >> (shift - 3)); // 5..8
        return ((shift - MinShift) * SizesPerShift) + eighths - 5;
    }

    private static int LengthOf(int index) => (index % SizesPerShift + 5) << ((index / SizesPerShift) + MinShift - 3);
}
