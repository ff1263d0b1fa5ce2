namespace Stagecast.Transport.Epoll;

/// <summary>
/// How other threads wake an event loop that waits in epoll: an eventfd, written once per batch of posts. A poster
/// queues its work, then <see cref="Signal"/>s; the loop, woken, calls <see cref="Drain"/> and only then runs the
/// queue. Drain reads the eventfd first and clears the pending flag after: cleared first, a post landing between
/// the two would have its write consumed by the read while the flag stayed set, and every later post would find
/// the flag set and write nothing, leaving an idle loop asleep with work queued (new connections never answered).
/// A loop that waits outside epoll (SRT's, while libsrt sleeps or idles) waits with <see cref="Wait"/>.
/// </summary>
public sealed class LoopWakeup : IDisposable
{
    private readonly byte[] _drain = new byte[8];
    private int _pending;

    public LoopWakeup()
    {
        Fd = LinuxNative.EventFd(0, LinuxNative.EfdCloexec | LinuxNative.EfdNonblock);
        if (Fd < 0)
        {
            throw new IOException($"eventfd failed with errno {LinuxNative.LastError}");
        }
    }

    /// <summary>The eventfd, readable while a wake-up is pending: watch it with EPOLLIN, level-triggered.</summary>
    public int Fd { get; }

    /// <summary>Wakes the loop, unless a wake-up it has not drained yet will already make it run the queue (after queuing work).</summary>
    public void Signal()
    {
        if (Interlocked.Exchange(ref _pending, 1) == 0)
        {
            Kick();
        }
    }

    /// <summary>Wakes the loop regardless (to stop it).</summary>
    public void Kick()
    {
        Span<byte> one = stackalloc byte[8];
        one[0] = 1;
        LinuxNative.Write(Fd, ref one[0], 8);
    }

    /// <summary>Takes the wake-up (loop thread, before it runs the queue): every post signalled before this returns is in the queue.</summary>
    public void Drain()
    {
        LinuxNative.Read(Fd, ref _drain[0], 8);
        Interlocked.Exchange(ref _pending, 0);
    }

    /// <summary>
    /// Waits for a wake-up, and for <paramref name="readable"/> (a descriptor, or -1 for none) to have something to
    /// read; takes the wake-up if there was one (<see cref="Drain"/>). True when <paramref name="readable"/> has.
    /// </summary>
    public bool Wait(int readable = -1)
    {
        Span<LinuxNative.PollFd> watched = [new() { Fd = Fd, Events = LinuxNative.PollIn }, new() { Fd = readable, Events = LinuxNative.PollIn }];
        if (LinuxNative.Poll(ref watched[0], readable < 0 ? 1u : 2u, -1) < 0)
        {
            return false; // interrupted: the caller looks again
        }

        if (watched[0].Returned != 0)
        {
            Drain();
        }

        return readable >= 0 && watched[1].Returned != 0;
    }

    public void Dispose() => LinuxNative.Close(Fd);
}
