using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Stagecast.Testing;

/// <summary>
/// Random loss and a fixed delay on the UDP packets this host sends out of one device, as netem's <c>delay</c> and
/// <c>loss</c> would make them, for kernels built without netem (this machine's): an iptables rule hands each packet to a
/// netfilter queue (NFQUEUE), which this class reads over netlink (nfnetlink_queue) and answers after the delay (accept)
/// or at once (drop, at random with the given chance). Only UDP (the media): the page and its signalling keep TCP's
/// own pace. Needs root (CAP_NET_ADMIN) and iptables; the rule and the queue go when disposed, and a packet that finds
/// no reader passes (<c>--queue-bypass</c>).
/// </summary>
public sealed partial class PacketImpairment : IAsyncDisposable
{
    private const int NetlinkFamily = 16; // AF_NETLINK
    private const int NetlinkNetfilter = 12;
    private const int RawSocket = 3;
    private const ushort QueueSubsystem = 3 << 8; // NFNL_SUBSYS_QUEUE
    private const ushort PacketMessage = QueueSubsystem | 0; // NFQNL_MSG_PACKET
    private const ushort VerdictMessage = QueueSubsystem | 1;
    private const ushort ConfigMessage = QueueSubsystem | 2;
    private const ushort ErrorMessage = 2; // NLMSG_ERROR
    private const ushort Request = 1;
    private const ushort Acknowledge = 4;
    private const int Drop = 0;
    private const int Accept = 1;

    private readonly int _socket;
    private readonly ushort _queue;
    private readonly string[] _rule;
    private readonly double _loss;
    private readonly TimeSpan _delay;
    private readonly BlockingCollection<(uint Id, long Due)> _held = new(4096);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _reader;
    private readonly Thread _releaser;
    private readonly Lock _sending = new();
    private long _passed;
    private long _dropped;
    private int _disposed;

    private PacketImpairment(int socket, ushort queue, string device, double loss, TimeSpan delay)
    {
        (_socket, _queue, _loss, _delay) = (socket, queue, loss, delay);
        _rule = ["OUTPUT", "-o", device, "-p", "udp", "-j", "NFQUEUE", "--queue-num", queue.ToString(CultureInfo.InvariantCulture), "--queue-bypass"];
        _reader = new Thread(Read) { IsBackground = true, Name = "impairment reader" };
        _releaser = new Thread(Release) { IsBackground = true, Name = "impairment releaser" };
    }

    /// <summary>Packets accepted after the delay so far.</summary>
    public long Passed => Interlocked.Read(ref _passed);

    /// <summary>Packets dropped so far.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Delays by <paramref name="delay"/> and drops with the chance <paramref name="loss"/> (0 to 1) what this host sends out of <paramref name="device"/>.</summary>
    public static async Task<PacketImpairment> StartAsync(string device, double loss, TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(loss);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(loss, 1);
        ushort queue = (ushort)RandomNumberGenerator.GetInt32(1024, 65535); // tests run side by side, each link its own queue
        int socket = Socket(NetlinkFamily, RawSocket, NetlinkNetfilter);
        if (socket < 0)
        {
            throw new InvalidOperationException($"no netlink socket (errno {Marshal.GetLastPInvokeError()})");
        }

        var impairment = new PacketImpairment(socket, queue, device, loss, delay);
        try
        {
            byte[] address = new byte[12]; // struct sockaddr_nl: the family, then port id and groups 0 (the kernel picks the port)
            BinaryPrimitives.WriteUInt16LittleEndian(address, NetlinkFamily);
            Check(Bind(socket, ref address[0], address.Length), "bind");
            byte[] timeout = new byte[16]; // struct timeval of 100 ms: the reader looks at its stop that often
            BinaryPrimitives.WriteInt64LittleEndian(timeout.AsSpan(8), 100_000);
            Check(SetSocketOption(socket, 1 /* SOL_SOCKET */, 20 /* SO_RCVTIMEO */, ref timeout[0], timeout.Length), "SO_RCVTIMEO");

            // Bind this socket to the queue (NFQA_CFG_CMD: NFQNL_CFG_CMD_BIND, for IPv4), then ask for the packets' metadata
            // only (NFQA_CFG_PARAMS: NFQNL_COPY_META): their ids are all a verdict needs.
            impairment.Configure(1, [1, 0, 0, 2]);
            impairment.Configure(2, [0, 0, 0, 0, 1]);
            await ShapedLink.RunAsync("iptables", ["-I", .. impairment._rule]);
        }
        catch
        {
            await impairment.DisposeAsync();
            throw;
        }

        impairment._reader.Start();
        impairment._releaser.Start();
        return impairment;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return; // the link disposes it too, and a second close could close another's socket by the same number
        }

        await ShapedLink.RunAsync("iptables", ["-D", .. _rule], mustSucceed: false);
        await _stop.CancelAsync();
        if (_reader.IsAlive)
        {
            _reader.Join();
        }

        if (_releaser.IsAlive)
        {
            _releaser.Join();
        }

        _ = Close(_socket);
        _stop.Dispose();
        _held.Dispose();
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{_loss:P0} loss and {_delay.TotalMilliseconds:F0} ms: {Passed} packets passed, {Dropped} dropped");

    /// <summary>A queue configuration message with one attribute, its answer checked.</summary>
    private void Configure(ushort attribute, byte[] value)
    {
        Send(ConfigMessage, Request | Acknowledge, attribute, value);
        byte[] answer = new byte[1024];
        int length = (int)Receive(_socket, ref answer[0], answer.Length, 0);
        Check(length, "the queue's configuration");
        if (BinaryPrimitives.ReadUInt16LittleEndian(answer.AsSpan(4)) == ErrorMessage && BinaryPrimitives.ReadInt32LittleEndian(answer.AsSpan(16)) is var error and not 0)
        {
            throw new InvalidOperationException($"netfilter queue {_queue} refused its configuration (errno {-error})");
        }
    }

    private void Read()
    {
        byte[] buffer = new byte[65536];
        while (!_stop.IsCancellationRequested)
        {
            int length = (int)Receive(_socket, ref buffer[0], buffer.Length, 0);
            if (length <= 0)
            {
                continue; // the receive timeout (or ENOBUFS, the kernel's queue having overflowed: its packets were passed or dropped)
            }

            for (int offset = 0; offset + 16 <= length;)
            {
                var message = buffer.AsSpan(offset, Math.Min(length - offset, (int)BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(offset))));
                if (message.Length < 16)
                {
                    break;
                }

                if (BinaryPrimitives.ReadUInt16LittleEndian(message[4..]) == PacketMessage && PacketId(message[20..]) is { } id)
                {
                    if (Random.Shared.NextDouble() < _loss)
                    {
                        Verdict(id, Drop);
                        Interlocked.Increment(ref _dropped);
                    }
                    else
                    {
                        _held.Add((id, Environment.TickCount64 + (long)_delay.TotalMilliseconds));
                    }
                }

                offset += (message.Length + 3) & ~3;
            }
        }
    }

    private void Release()
    {
        try
        {
            foreach (var (id, due) in _held.GetConsumingEnumerable(_stop.Token))
            {
                long wait = due - Environment.TickCount64;
                if (wait > 0)
                {
                    Thread.Sleep((int)wait);
                }

                Verdict(id, Accept);
                Interlocked.Increment(ref _passed);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>The packet id in a packet message's attributes (NFQA_PACKET_HDR: the id, big-endian, first).</summary>
    private static uint? PacketId(ReadOnlySpan<byte> attributes)
    {
        while (attributes.Length >= 4)
        {
            int length = BinaryPrimitives.ReadUInt16LittleEndian(attributes);
            if (length < 4 || length > attributes.Length)
            {
                return null;
            }

            if ((BinaryPrimitives.ReadUInt16LittleEndian(attributes[2..]) & 0x3fff) == 1 && length >= 8)
            {
                return BinaryPrimitives.ReadUInt32BigEndian(attributes[4..]);
            }

            attributes = attributes[Math.Min(attributes.Length, (length + 3) & ~3)..];
        }

        return null;
    }

    /// <summary>NFQNL_MSG_VERDICT with NFQA_VERDICT_HDR: the verdict, then the packet's id, both big-endian.</summary>
    private void Verdict(uint id, int verdict)
    {
        byte[] value = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(value, verdict);
        BinaryPrimitives.WriteUInt32BigEndian(value.AsSpan(4), id);
        Send(VerdictMessage, Request, 2, value);
    }

    /// <summary>A netlink message to the queue's subsystem: the header, nfgenmsg (the queue's number), one attribute.</summary>
    private void Send(ushort type, int flags, ushort attribute, byte[] value)
    {
        int attributeLength = 4 + value.Length;
        byte[] message = new byte[16 + 4 + ((attributeLength + 3) & ~3)];
        BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)message.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(4), type);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(6), (ushort)flags);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(18), _queue); // nfgenmsg: family AF_UNSPEC, version 0, then the queue
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(20), (ushort)attributeLength);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(22), attribute);
        value.CopyTo(message.AsSpan(24));
        lock (_sending)
        {
            Check((int)SendTo(_socket, ref message[0], message.Length, 0), "a queue message");
        }
    }

    private static void Check(int result, string what)
    {
        if (result < 0)
        {
            throw new InvalidOperationException($"{what} failed on the netlink socket (errno {Marshal.GetLastPInvokeError()})");
        }
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    private static partial int Bind(int socket, ref byte address, int length);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static partial int SetSocketOption(int socket, int level, int name, ref byte value, int length);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    private static partial nint Receive(int socket, ref byte buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    private static partial nint SendTo(int socket, ref byte buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int socket);
}
