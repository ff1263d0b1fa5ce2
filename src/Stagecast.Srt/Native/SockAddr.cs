using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Stagecast.Srt.Native;

/// <summary>struct sockaddr_in and sockaddr_in6 as libsrt takes and gives them (Linux layout).</summary>
internal static class SockAddr
{
    /// <summary>sizeof(struct sockaddr_in6), the larger of the two.</summary>
    public const int MaxLength = 28;

    private const ushort InterNetwork = 2; // AF_INET
    private const ushort InterNetworkV6 = 10; // AF_INET6

    public static int Write(Span<byte> destination, IPEndPoint endpoint)
    {
        destination[..MaxLength].Clear();
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)endpoint.Port);
        if (endpoint.AddressFamily == AddressFamily.InterNetwork)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(destination, InterNetwork);
            endpoint.Address.TryWriteBytes(destination[4..8], out _);
            return 16;
        }

        BinaryPrimitives.WriteUInt16LittleEndian(destination, InterNetworkV6);
        endpoint.Address.TryWriteBytes(destination[8..24], out _);
        return MaxLength;
    }

    public static IPEndPoint? Read(ReadOnlySpan<byte> address)
    {
        if (address.Length < 16)
        {
            return null;
        }

        int port = BinaryPrimitives.ReadUInt16BigEndian(address[2..]);
        return BinaryPrimitives.ReadUInt16LittleEndian(address) switch
        {
            InterNetwork => new IPEndPoint(new IPAddress(address[4..8]), port),
            InterNetworkV6 when address.Length >= MaxLength => new IPEndPoint(new IPAddress(address[8..24]), port),
            _ => null,
        };
    }
}
