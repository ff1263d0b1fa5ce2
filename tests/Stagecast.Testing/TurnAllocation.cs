using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Stagecast.Testing;

/// <summary>
/// One TURN Allocate (RFC 8656 section 7.2) with long-term credentials (RFC 8489 section 9.2): the first request is
/// answered 401 with the realm and a nonce, the second carries USERNAME, REALM, NONCE and MESSAGE-INTEGRITY keyed
/// with MD5(username:realm:password). Says whether the server allocated (a relayed address) or refused.
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

    public static async Task<bool> AllocatesAsync(IPEndPoint server, string username, string password)
    {
        using var socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var challenge = await ExchangeAsync(socket, server, Request([]));
        var attributes = Attributes(challenge);
        if (Type(challenge) == AllocateSuccess)
        {
            return true; // no authentication asked
        }

        byte[] realm = attributes[Realm], nonce = attributes[Nonce];
        byte[] key = MD5.HashData(Encoding.UTF8.GetBytes($"{username}:{Encoding.UTF8.GetString(realm)}:{password}"));
        var answer = await ExchangeAsync(socket, server, Request([(Username, Encoding.UTF8.GetBytes(username)), (Realm, realm), (Nonce, nonce)], key));
        return Type(answer) == AllocateSuccess;
    }

    /// <summary>An Allocate request for a UDP relay with these attributes, and MESSAGE-INTEGRITY when a key is given.</summary>
    private static byte[] Request(IEnumerable<(ushort Type, byte[] Value)> attributes, byte[]? key = null)
    {
        var message = new List<byte>(new byte[20]);
        BinaryPrimitives.WriteUInt16BigEndian(Span(message, 0, 2), Allocate);
        BinaryPrimitives.WriteUInt32BigEndian(Span(message, 4, 4), 0x2112A442);
        RandomNumberGenerator.Fill(Span(message, 8, 12));
        foreach (var (type, value) in attributes.Prepend((RequestedTransport, new byte[] { 17, 0, 0, 0 })))
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
