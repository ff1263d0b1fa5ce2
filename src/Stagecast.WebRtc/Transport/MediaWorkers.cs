using System.Diagnostics;
using Stagecast.WebRtc.Ice;

namespace Stagecast.WebRtc.Transport;

/// <summary>
/// Threads that receive the media of publishing sessions (a meeting's senders, WHIP), one per core, started with the
/// first such session: the UDP socket's receive thread copies a publisher's RTP into its worker's queue and goes back
/// to the socket, and the worker decrypts it and forwards it to every subscriber, the subscribers' packets sent
/// together (<see cref="UdpBatch"/>). Forwarding one packet to a few hundred subscribers is the heaviest thing a
/// packet can cause; done on the receive thread, it kept that thread from the socket, whose buffer then overflowed
/// and lost handshakes and consent checks with the media (bench/README.md, "Webinars"). A publisher keeps its worker,
/// so its packets are handled in the order they came; publishers are dealt to the workers in turn.
/// </summary>
internal sealed class MediaWorkers(WebRtcTransport transport) : IDisposable
{
    private readonly Lock _sync = new();
    private MediaWorker[]? _workers;
    private int _next;
    private bool _disposed;

    /// <summary>Packets dropped because their worker's queue was full (the server could not keep up with its publishers).</summary>
    public long Dropped => _workers?.Sum(w => w.Dropped) ?? 0;

    /// <summary>The worker for a new publishing session (the workers start with the first).</summary>
    public MediaWorker? Assign()
    {
        lock (_sync)
        {
            if (_disposed)
            {
                return null;
            }

            _workers ??= [.. Enumerable.Range(0, Environment.ProcessorCount).Select(i => new MediaWorker(transport, $"webrtc-media-{i}"))];
            return _workers[_next++ % _workers.Length];
        }
    }

    public void Dispose()
    {
        MediaWorker[]? workers;
        lock (_sync)
        {
            _disposed = true;
            workers = _workers;
        }

        foreach (var worker in workers ?? [])
        {
            worker.Dispose();
        }
    }
}

/// <summary>
/// One thread and its queue of received RTP packets (<see cref="Capacity"/> at most, each copied into a buffer the
/// queue takes back once it is handled, so it holds as many as were ever waiting at once; a packet that finds the
/// queue full is dropped and counted). Any thread posts; this one handles them in order.
/// </summary>
internal sealed class MediaWorker : IDisposable
{
    /// <summary>Packets a worker holds: about 0.6 s of three 2.5 Mbit/s publishers' video in 1,100-byte packets (by calculation).</summary>
    public const int Capacity = 512;

    /// <summary>The longest packet it takes: what the socket's thread reads.</summary>
    public const int MaxPacket = UdpMux.MaxDatagram;

    private readonly Entry[] _queue = new Entry[Capacity];
    private readonly Stack<byte[]> _buffers = new();
    private readonly object _sync = new();
    private readonly Thread _thread;
    private readonly UdpBatch _batch;
    private int _head;
    private int _count;
    private bool _waiting;
    private bool _stopping;
    private long _dropped;

    public MediaWorker(WebRtcTransport transport, string name)
    {
        _batch = transport.CreateBatch();
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues an SRTP packet for <paramref name="session"/>'s <see cref="WebRtcSession.ReceiveRtp"/>; false when the queue is full.</summary>
    public bool TryPost(WebRtcSession session, ReadOnlySpan<byte> packet, IcePath? from)
    {
        lock (_sync)
        {
            if (_count == Capacity || _stopping || packet.Length > MaxPacket)
            {
                _dropped++;
                return false;
            }

            ref var entry = ref _queue[(_head + _count) % Capacity];
            entry.Buffer = _buffers.TryPop(out var buffer) ? buffer : new byte[MaxPacket];
            packet.CopyTo(entry.Buffer);
            entry.Length = packet.Length;
            entry.Session = session;
            entry.From = from;
            entry.ReceivedAt = WebRtcMetrics.PacketReceivedAt;
            entry.Waited = WebRtcMetrics.PacketWaited;
            if (++_count == 1 && _waiting)
            {
                Monitor.Pulse(_sync);
            }
        }

        return true;
    }

    public void Dispose()
    {
        lock (_sync)
        {
            _stopping = true;
            Monitor.Pulse(_sync);
        }

        _thread.Join(TimeSpan.FromSeconds(2));
    }

    private void Run()
    {
        WebRtcSession.SendBatch = _batch;
        while (true)
        {
            int head;
            int count;
            lock (_sync)
            {
                while (_count == 0 && !_stopping)
                {
                    _waiting = true;
                    Monitor.Wait(_sync);
                    _waiting = false;
                }

                if (_stopping)
                {
                    break;
                }

                (head, count) = (_head, _count);
            }

            // The entries taken are the worker's until it moves the head past them: posting writes only behind them.
            for (int i = 0; i < count; i++)
            {
                ref var entry = ref _queue[(head + i) % Capacity];
                Handle(ref entry);
            }

            _batch.Flush();
            lock (_sync)
            {
                for (int i = 0; i < count; i++)
                {
                    ref var entry = ref _queue[(head + i) % Capacity];
                    _buffers.Push(entry.Buffer!);
                    entry = default;
                }

                _head = (head + count) % Capacity;
                _count -= count;
            }
        }

        _batch.Dispose();
    }

    private static void Handle(ref Entry entry)
    {
        // As if it had just been read: when it came, and how long it waited for the socket's thread and for this one.
        WebRtcMetrics.PacketReceivedAt = entry.ReceivedAt;
        WebRtcMetrics.PacketWaited = entry.Waited + Stopwatch.GetElapsedTime(entry.ReceivedAt);
        try
        {
            entry.Session!.ReceiveRtp(entry.Buffer!, entry.Length, entry.From);
        }
        catch (Exception ex)
        {
            entry.Session!.Transport.Log.PacketFailed(ex, entry.From?.ToString() ?? "-");
        }
    }

    private struct Entry
    {
        public byte[]? Buffer;
        public int Length;
        public WebRtcSession? Session;
        public IcePath? From;
        public long ReceivedAt;
        public TimeSpan Waited;
    }
}
