using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Stagecast.Testing;

/// <summary>
/// One TURN Allocate (RFC 8656 section 7.2) with long-term credentials (RFC 8489 section 9.2): the first request is
/// answered 401 with the realm and a nonce, the second carries USERNAME, REALM, NONCE and MESSAGE-INTEGRITY keyed
/// with MD5(username:realm:password). Says whether the server allocated (a relayed address) or refused, and why.
/// </summary>
public static class TurnAllocation
{
    private const ushort Allocate = 0x0003;
    private const ushort AllocateSuccess = 0x0103;
    private const ushort Username = 0x0006;
    private const ushort MessageIntegrity = 0x0008;
    private const ushort ErrorCode = 0x0009;
    private const ushort Realm = 0x0014;
    private const ushort Nonce = 0x0015;
    private const ushort RequestedTransport = 0x0019;
    private const byte UdpTransport = 17;
    private const byte TcpTransport = 6;

    public static async Task<bool> AllocatesAsync(IPEndPoint server, string username, string password)
    {
        using var socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return await AllocateAsync(socket, server, username, password) == 0;
    }

    /// <summary>
    /// A relayed UDP port for <paramref name="socket"/>'s address: 0 when allocated, else the error code (486 past a
    /// quota). The allocation outlives the socket (until its lifetime ends); a socket kept open keeps its port, so a
    /// later socket cannot be given the same one and be refused as the same client (437).
    /// </summary>
    public static Task<int> AllocateAsync(UdpClient socket, IPEndPoint server, string username, string password) =>
        AllocateAsync(request => ExchangeAsync(socket, server, request), UdpTransport, username, password);

    /// <summary>
    /// A relayed TCP port asked for over a TCP connection, as a client that means to reach peers over TCP would (RFC 6062
    /// section 5.1): 0 when allocated, else the error code (442 Unsupported Transport Protocol for a server that relays
    /// no TCP). The allocation ends with the connection.
    /// </summary>
    public static async Task<int> AllocateTcpRelayAsync(IPEndPoint server, string username, string password)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server);
        var stream = client.GetStream();
        return await AllocateAsync(request => ExchangeAsync(stream, request), TcpTransport, username, password);
    }

    /// <summary>0 when the server allocated, else the error code of its refusal.</summary>
    private static async Task<int> AllocateAsync(Func<byte[], Task<byte[]>> exchange, byte transport, string username, string password)
    {
        var challenge = await exchange(Request(transport, []));
        var attributes = Attributes(challenge);
        if (Type(challenge) == AllocateSuccess)
        {
            return 0; // no authentication asked
        }

        if (!attributes.TryGetValue(Nonce, out byte[]? nonce))
        {
            return Error(attributes);
        }

        byte[] realm = attributes[Realm];
        byte[] key = MD5.HashData(Encoding.UTF8.GetBytes($"{username}:{Encoding.UTF8.GetString(realm)}:{password}"));
        var answer = await exchange(Request(transport, [(Username, Encoding.UTF8.GetBytes(username)), (Realm, realm), (Nonce, nonce)], key));
        return Type(answer) == AllocateSuccess ? 0 : Error(Attributes(answer));
    }

    /// <summary>An ERROR-CODE attribute's code (RFC 8489 section 14.8): its class times 100 plus its number.</summary>
    private static int Error(Dictionary<ushort, byte[]> attributes) =>
        attributes.TryGetValue(ErrorCode, out byte[]? error) ? ((error[2] & 0x07) * 100) + error[3] : -1;

    /// <summary>An Allocate request for a relay of this transport with these attributes, and MESSAGE-INTEGRITY when a key is given.</summary>
    private static byte[] Request(byte transport, IEnumerable<(ushort Type, byte[] Value)> attributes, byte[]? key = null)
    {
        var message = new List<byte>(new byte[20]);
        BinaryPrimitives.WriteUInt16BigEndian(Span(message, 0, 2), Allocate);
        BinaryPrimitives.WriteUInt32BigEndian(Span(message, 4, 4), 0x2112A442);
        RandomNumberGenerator.Fill(Span(message, 8, 12));
        foreach (var (type, value) in attributes.Prepend((RequestedTransport, new byte[] { transport, 0, 0, 0 })))
        {
            Append(message, type, value);
        }

        if (key is not null)
        {
            // The integrity covers the header with a length that already counts the integrity attribute itself.
            SetLength(message, message.Count - 20 + 24);
            Append(message, MessageIntegrity, HMACSHA1.HashData(key, message.ToArray()));
        }

        SetLength(message, message.Count - 20);
        return [.. message];
    }

    /// <summary>One request and its answer over TCP, where STUN messages follow each other with no framing but their own length.</summary>
    private static async Task<byte[]> ExchangeAsync(NetworkStream stream, byte[] request)
    {
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await stream.WriteAsync(request, wait.Token);
        byte[] header = new byte[20];
        await stream.ReadExactlyAsync(header, wait.Token);
        byte[] message = new byte[20 + BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(2))];
        header.CopyTo(message, 0);
        await stream.ReadExactlyAsync(message.AsMemory(20), wait.Token);
        return message;
    }

    private static async Task<byte[]> ExchangeAsync(UdpClient socket, IPEndPoint server, byte[] request)
    {
        for (int attempt = 0; attempt < 5; attempt++)
        {
            await socket.SendAsync(request, server);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                var reply = await socket.ReceiveAsync(wait.Token);
                if (reply.Buffer.AsSpan(8, 12).SequenceEqual(request.AsSpan(8, 12)))
                {
                    return reply.Buffer;
                }
            }
            catch (OperationCanceledException)
            {
                // lost (or the server not ready yet): ask again
            }
        }

        throw new TimeoutException($"no answer from the TURN server at {server}");
    }

    private static ushort Type(byte[] message) => BinaryPrimitives.ReadUInt16BigEndian(message);

    private static Dictionary<ushort, byte[]> Attributes(byte[] message)
    {
        var attributes = new Dictionary<ushort, byte[]>();
        for (int at = 20; at + 4 <= message.Length;)
        {
            ushort type = BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(at));
            int length = BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(at + 2));
            attributes[type] = message.AsSpan(at + 4, length).ToArray();
            at += 4 + ((length + 3) & ~3);
        }

        return attributes;
    }

    private static void Append(List<byte> message, ushort type, byte[] value)
    {
        byte[] header = new byte[4];
        BinaryPrimitives.WriteUInt16BigEndian(header, type);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), (ushort)value.Length);
        message.AddRange(header);
        message.AddRange(value);
        message.AddRange(new byte[(4 - (value.Length % 4)) % 4]);
    }

    private static void SetLength(List<byte> message, int length)
    {
        message[2] = (byte)(length >> 8);
        message[3] = (byte)length;
    }

    private static Span<byte> Span(List<byte> list, int start, int length) => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list).Slice(start, length);
}
