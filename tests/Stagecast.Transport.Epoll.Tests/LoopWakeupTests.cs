using System.Collections.Concurrent;
using System.Diagnostics;

namespace Stagecast.Transport.Epoll.Tests;

/// <summary>The wake-up of an event loop, raced by posters against a loop that runs its queue only when woken.</summary>
public sealed class LoopWakeupTests
{
    [Fact]
    public void NoPostIsLeftQueuedWhileTheLoopSleeps()
    {
        const int Posters = 2;
        const int PostsEach = 50_000;
        using var wakeup = new LoopWakeup();
        int epoll = LinuxNative.EpollCreate(LinuxNative.EpollCloexec);
        Assert.True(epoll >= 0);
        Span<byte> registration = stackalloc byte[16];
        LinuxNative.WriteEpollEvent(registration, LinuxNative.EpollIn, 0);
        Assert.Equal(0, LinuxNative.EpollControl(epoll, LinuxNative.EpollCtlAdd, wakeup.Fd, ref registration[0]));

        var queue = new ConcurrentQueue<int>();
        var ran = new int[Posters];
        bool stop = false;
        var loop = new Thread(() =>
        {
            var events = new byte[LinuxNative.EpollEventSize];
            while (!Volatile.Read(ref stop))
            {
                // As the event loop with no socket to serve: asleep until woken, then drain, then run the queue.
                if (LinuxNative.EpollWait(epoll, ref events[0], 1, -1) <= 0)
                {
                    continue;
                }

                wakeup.Drain();
                while (queue.TryDequeue(out int poster))
                {
                    Interlocked.Increment(ref ran[poster]);
                }
            }
        });
        loop.Start();

        var lost = new int[Posters];
        var posters = Enumerable.Range(0, Posters).Select(poster => new Thread(() =>
        {
            for (int i = 1; i <= PostsEach; i++)
            {
                queue.Enqueue(poster);
                wakeup.Signal();
                var waited = Stopwatch.StartNew();
                var spin = new SpinWait();
                while (Volatile.Read(ref ran[poster]) < i)
                {
                    if (waited.Elapsed > TimeSpan.FromSeconds(5))
                    {
                        lost[poster] = i;
                        return;
                    }

                    spin.SpinOnce();
                }
            }
        })).ToList();
        posters.ForEach(p => p.Start());
        posters.ForEach(p => p.Join());

        Volatile.Write(ref stop, true);
        wakeup.Kick();
        loop.Join();
        LinuxNative.Close(epoll);
        Assert.Equal(new int[Posters], lost); // the post number that waited in vain, per poster
        Assert.Equal(Enumerable.Repeat(PostsEach, Posters), ran);
    }
}
