using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Stagecast.WebRtc.Ice;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Transport;

namespace Stagecast.WebRtc.Tests;

/// <summary>The shared UDP port against hostile packets: nothing but a binding request with the session's integrity creates state or gets an answer.</summary>
public sealed class TransportTests : IAsyncLifetime
{
    private readonly WebRtcTransport _transport = new(Options.Create(new WebRtcOptions { Port = 0 }), TimeProvider.System, NullLogger<WebRtcTransport>.Instance);
    private readonly Socket _client = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private TestPeer _peer = null!;
    private IPEndPoint _server = null!;

    public async Task InitializeAsync()
    {
        await _transport.StartAsync(CancellationToken.None);
        _server = new IPEndPoint(IPAddress.Loopback, _transport.Port);
        _client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _client.ReceiveTimeout = 300;
        _peer = new TestPeer(_transport, SdpSessionDescription.Parse(SdpTests.ChromiumOffer));
        Assert.True(_transport.TryRegister(_peer));
    }

    public async Task DisposeAsync()
    {
        await _transport.StopAsync(CancellationToken.None);
        _transport.Dispose();
        _client.Dispose();
    }

    [Fact]
    public void AValidBindingRequestIsAnsweredWithTheMappedAddressAndPicksThePair()
    {
        var response = Exchange(BindingRequest($"{_peer.Ice.Credentials.Ufrag}:F0zU", _peer.Ice.Credentials.PasswordBytes, useCandidate: true));
        Assert.NotNull(response);
        Assert.True(StunMessage.TryParse(response, out var message));
        Assert.Equal(StunMessage.BindingSuccess, message.Type);
        Assert.True(message.VerifyIntegrity(_peer.Ice.Credentials.PasswordBytes));
        Assert.True(message.VerifyFingerprint());
        Assert.True(message.TryGetAttribute(StunAttribute.XorMappedAddress, out var mapped));
        int port = BinaryPrimitives.ReadUInt16BigEndian(mapped[2..]) ^ 0x2112;
        Assert.Equal(((IPEndPoint)_client.LocalEndPoint!).Port, port);
        Assert.Equal(_client.LocalEndPoint, _peer.Remote?.EndPoint);
    }

    [Fact]
    public void EveryValidatedPathIsKeptAndUseCandidateChoosesWhereWeSend()
    {
        using var second = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        second.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        second.ReceiveTimeout = 1000;

        Assert.NotNull(Exchange(BindingRequest($"{_peer.Ice.Credentials.Ufrag}:F0zU", _peer.Ice.Credentials.PasswordBytes, useCandidate: false)));
        Assert.Equal(_client.LocalEndPoint, _peer.Remote?.EndPoint); // the first valid path, until one is nominated

        second.SendTo(BindingRequest($"{_peer.Ice.Credentials.Ufrag}:F0zU", _peer.Ice.Credentials.PasswordBytes, useCandidate: true), _server);
        Assert.True(second.Receive(new byte[1500]) > 0);
        Assert.Equal(second.LocalEndPoint, _peer.Remote?.EndPoint); // nominated
        Assert.Equal(2, _peer.Ice.Paths.Count); // both may carry the session's DTLS and SRTP

        Assert.NotNull(Exchange(BindingRequest($"{_peer.Ice.Credentials.Ufrag}:F0zU", _peer.Ice.Credentials.PasswordBytes, useCandidate: false)));
        Assert.Equal(second.LocalEndPoint, _peer.Remote?.EndPoint); // a check without USE-CANDIDATE moves nothing
    }

    [Fact]
    public void HostilePacketsGetNoAnswerAndChangeNothing()
    {
        Assert.Null(Exchange(BindingRequest("unknown:F0zU", _peer.Ice.Credentials.PasswordBytes, useCandidate: true)));
        Assert.Null(Exchange(BindingRequest($"{_peer.Ice.Credentials.Ufrag}:F0zU", "not the password"u8.ToArray(), useCandidate: true)));
        Assert.Null(Exchange(BindingRequest($"{_peer.Ice.Credentials.Ufrag}:someoneelse", _peer.Ice.Credentials.PasswordBytes, useCandidate: true)));
        Assert.Null(_peer.Remote);

        // A flood of random datagrams in every RFC 7983 range, then DTLS and RTP from an address ICE never chose.
        var random = new byte[1200];
        for (int i = 0; i < 5000; i++)
        {
            RandomNumberGenerator.Fill(random.AsSpan(0, 1 + (i % 1200)));
            random[0] = (byte)(i % 256);
            _client.SendTo(random.AsSpan(0, 1 + (i % 1200)), _server);
        }

        Assert.Null(_peer.Remote);
        Assert.Equal(0, _peer.Packets);
        Assert.False(_peer.IsClosed);

        // The transport still answers the real peer afterwards.
        Assert.NotNull(Exchange(BindingRequest($"{_peer.Ice.Credentials.Ufrag}:F0zU", _peer.Ice.Credentials.PasswordBytes, useCandidate: false), attempts: 20));
    }

    private byte[]? Exchange(byte[] request, int attempts = 1)
    {
        var buffer = new byte[1500];
        for (int attempt = 0; attempt < attempts; attempt++)
        {
            _client.SendTo(request, _server);
            try
            {
                while (true)
                {
                    int length = _client.Receive(buffer);
                    if (StunMessage.TryParse(buffer.AsSpan(0, length), out var message) && message.TransactionId.SequenceEqual(request.AsSpan(8, 12)))
                    {
                        return buffer[..length];
                    }
                }
            }
            catch (SocketException)
            {
                // timed out: try again
            }
        }

        return null;
    }

    /// <summary>A binding request as a controlling agent sends it: USERNAME, PRIORITY, ICE-CONTROLLING, USE-CANDIDATE, MESSAGE-INTEGRITY, FINGERPRINT.</summary>
    internal static byte[] BindingRequest(string username, byte[] password, bool useCandidate)
    {
        var message = new List<byte>();
        void Attribute(ushort type, ReadOnlySpan<byte> value)
        {
            message.Add((byte)(type >> 8));
            message.Add((byte)type);
            message.Add((byte)(value.Length >> 8));
            message.Add((byte)value.Length);
            message.AddRange(value.ToArray());
            while (message.Count % 4 != 0)
            {
                message.Add(0);
            }
        }

        message.AddRange([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42]);
        message.AddRange(RandomNumberGenerator.GetBytes(12));
        Attribute(StunAttribute.Username, Encoding.ASCII.GetBytes(username));
        Attribute(StunAttribute.Priority, [0x6e, 0x00, 0x01, 0xff]);
        Attribute(StunAttribute.IceControlling, RandomNumberGenerator.GetBytes(8));
        if (useCandidate)
        {
            Attribute(StunAttribute.UseCandidate, []);
        }

        byte[] upTo = [.. message];
        var integrity = new byte[20];
        StunMessage.ComputeIntegrity(upTo, password, integrity);
        Attribute(StunAttribute.MessageIntegrity, integrity);
        upTo = [.. message];
        uint fingerprint = StunMessage.Fingerprint(upTo);
        Attribute(StunAttribute.Fingerprint, [(byte)(fingerprint >> 24), (byte)(fingerprint >> 16), (byte)(fingerprint >> 8), (byte)fingerprint]);
        byte[] packet = [.. message];
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)(packet.Length - 20));
        return packet;
    }

    private sealed class TestPeer(WebRtcTransport transport, SdpSessionDescription offer) : WebRtcSession(transport, offer, "127.0.0.1")
    {
        public int Packets { get; private set; }

        protected override void OnConnected()
        {
        }

        protected override void OnRtp(byte[] buffer, int length) => Packets++;

        protected override void OnRtcp(ReadOnlySpan<byte> packet) => Packets++;

        protected override void OnClosed(string reason)
        {
        }
    }
}
