using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using static Stagecast.WebRtc.Transport.LinuxMessages;

namespace Stagecast.WebRtc.Transport;

/// <summary>
/// Datagrams to many addresses on the shared UDP socket, sent together. On Linux one <c>sendmmsg</c> call carries up
/// to <see cref="Capacity"/> packets (a <c>sendto</c> each was four fifths of a WHEP viewer's cost; see
/// bench/README.md), and consecutive packets of one size for one address (a frame's FU-A fragments for one viewer)
/// go as one message the kernel cuts into datagrams (UDP GSO, <c>UDP_SEGMENT</c>), so they cross the network stack
/// once. Elsewhere, or where the kernel refuses GSO, one <c>SendTo</c> each. A packet is written in place into
/// <see cref="Next"/>, then <see cref="Commit"/>ted with its address; <see cref="Flush"/> sends what is queued.
/// Used by one thread at a time; the buffers live in native memory, so nothing is pinned or copied again.
/// </summary>
public sealed unsafe class UdpBatch : IDisposable
{
    public const int Capacity = 64;

    /// <summary>Room for one packet: an MTU-sized RTP packet and its SRTP tag.</summary>
    public const int SlotSize = 1536;

    /// <summary>The longest RTP packet a slot takes before it is protected: room is left for SRTP's tag (at most 16 bytes).</summary>
    public const int MaxRtpLength = SlotSize - 16;

    private const int AddressSize = 32; // sockaddr_in6 is 28 bytes
    private const int ControlSize = ControlSpace;
    private const int MaxMessageBytes = 65_000; // a UDP datagram's length field, before it is cut
    private static volatile bool s_segmentation = OperatingSystem.IsLinux();

    private readonly Socket _socket;
    private readonly byte* _memory;
    private readonly MessageHeader* _messages;
    private readonly IoVector* _vectors;
    private readonly byte* _addresses;
    private readonly byte* _controls;
    private readonly byte* _slots;
    private readonly SocketAddress[] _messageAddresses = new SocketAddress[Capacity];
    private readonly int[] _messageBytes = new int[Capacity];
    private int _count;
    private int _messageCount;
    private bool _disposed;

    public UdpBatch(Socket socket)
    {
        _socket = socket;
        nuint size = (nuint)(Capacity * (sizeof(MessageHeader) + sizeof(IoVector) + AddressSize + ControlSize + SlotSize));
        _memory = (byte*)NativeMemory.AllocZeroed(size);
        _messages = (MessageHeader*)_memory;
        _vectors = (IoVector*)(_messages + Capacity);
        _addresses = (byte*)(_vectors + Capacity);
        _controls = _addresses + Capacity * AddressSize;
        _slots = _controls + Capacity * ControlSize;
        for (int i = 0; i < Capacity; i++)
        {
            _vectors[i].Base = _slots + i * SlotSize;
            _messages[i].Name = _addresses + i * AddressSize;
            var control = (ControlHeader*)(_controls + i * ControlSize);
            control->Length = (nuint)(sizeof(ControlHeader) + sizeof(ushort));
            control->Level = SolUdp;
            control->Type = UdpSegment;
        }
    }

    /// <summary>Whether runs of packets go as GSO messages (Linux, until the kernel refuses one).</summary>
    public static bool Segmentation => s_segmentation;

    /// <summary>Packets queued and not sent yet.</summary>
    public int Count => _count;

    /// <summary>Datagrams the kernel refused (a full buffer, an ICMP error of an earlier send): lost, as UDP loses them.</summary>
    public long Dropped { get; private set; }

    /// <summary>Where the next packet is written.</summary>
    public Span<byte> Next => new(_slots + _count * SlotSize, SlotSize);

    /// <summary>Queues the packet written into <see cref="Next"/> (its first <paramref name="length"/> bytes) for <paramref name="address"/>; sends the batch when it is full.</summary>
    public void Commit(int length, SocketAddress address)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, SlotSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        var native = address.Buffer.Span[..address.Size];
        if (native.Length > AddressSize)
        {
            throw new ArgumentException("not an IP address", nameof(address));
        }

        _vectors[_count].Length = (nuint)length;
        if (!TryExtendLast(length, address))
        {
            int m = _messageCount++;
            native.CopyTo(new Span<byte>(_addresses + m * AddressSize, AddressSize));
            _messages[m].NameLength = (uint)native.Length;
            _messages[m].Vectors = &_vectors[_count];
            _messages[m].VectorCount = 1;
            _messages[m].Control = null;
            _messages[m].ControlLength = 0;
            _messageAddresses[m] = address;
            _messageBytes[m] = length;
        }

        if (++_count == Capacity)
        {
            Flush();
        }
    }

    /// <summary>Sends everything queued. A datagram the kernel refuses is dropped and the rest still go.</summary>
    public void Flush()
    {
        if (_count == 0 || _disposed)
        {
            _count = 0;
            _messageCount = 0;
            return;
        }

        bool added = false;
        try
        {
            _socket.SafeHandle.DangerousAddRef(ref added);
            if (OperatingSystem.IsLinux())
            {
                SendAll((int)_socket.SafeHandle.DangerousGetHandle());
            }
            else
            {
                for (int m = 0; m < _messageCount; m++)
                {
                    SendEach(m);
                }
            }
        }
        catch (ObjectDisposedException)
        {
            // the transport is stopping
        }
        finally
        {
            if (added)
            {
                _socket.SafeHandle.DangerousRelease();
            }

            _count = 0;
            _messageCount = 0;
        }
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            NativeMemory.Free(_memory);
        }
    }

    /// <summary>
    /// Adds the packet to the last message when GSO can carry both: same address, every segment so far of the first's
    /// size and this one no longer (only the last segment may be shorter).
    /// </summary>
    private bool TryExtendLast(int length, SocketAddress address)
    {
        if (!s_segmentation || _messageCount == 0)
        {
            return false;
        }

        int m = _messageCount - 1;
        ref var message = ref _messages[m];
        int segment = (int)message.Vectors[0].Length;
        int segments = (int)message.VectorCount;
        if (length > segment || (int)message.Vectors[segments - 1].Length != segment || _messageBytes[m] + length > MaxMessageBytes
            || !ReferenceEquals(address, _messageAddresses[m]) && !address.Equals(_messageAddresses[m]))
        {
            return false;
        }

        message.VectorCount++;
        message.Control = _controls + m * ControlSize;
        message.ControlLength = ControlSize;
        *(ushort*)(_controls + m * ControlSize + sizeof(ControlHeader)) = (ushort)segment;
        _messageBytes[m] += length;
        return true;
    }

    private void SendAll(int fd)
    {
        int sent = 0;
        while (sent < _messageCount)
        {
            int result = SendMessages(fd, _messages + sent, (uint)(_messageCount - sent), 0);
            if (result > 0)
            {
                sent += result;
            }
            else if (Marshal.GetLastPInvokeError() != Interrupted)
            {
                // The first remaining message was refused. Cut by GSO, it may be the kernel that cannot: send its
                // datagrams one by one and stop asking. Else it is lost, and the others are tried again.
                if (_messages[sent].VectorCount > 1)
                {
                    s_segmentation = false;
                    SendEach(sent);
                }
                else
                {
                    Dropped++;
                }

                sent++;
            }
        }
    }

    private void SendEach(int message)
    {
        for (int v = 0; v < (int)_messages[message].VectorCount; v++)
        {
            var vector = _messages[message].Vectors[v];
            try
            {
                _socket.SendTo(new ReadOnlySpan<byte>(vector.Base, (int)vector.Length), SocketFlags.None, _messageAddresses[message]);
            }
            catch (SocketException)
            {
                Dropped++;
            }
        }
    }
}
