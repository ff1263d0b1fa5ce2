using System.Net;
using System.Text;
using Stagecast.Testing;
using Stagecast.WebRtc.Ice;

namespace Stagecast.WebRtc.Tests;

/// <summary>STUN against the test vectors of RFC 5769, and what a hostile packet can and cannot do.</summary>
public sealed class StunTests
{
    // RFC 5769 section 2.1: a binding request with SOFTWARE, PRIORITY, ICE-CONTROLLED, USERNAME, MESSAGE-INTEGRITY, FINGERPRINT.
    private const string Request =
        "000100582112a442b7e7a701bc34d686fa87dfae" +
        "802200105354554e207465737420636c69656e74" +
        "002400046e0001ff" +
        "80290008932ff9b151263b36" +
        "000600096576746a3a68367659202020" +
        "000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a2" +
        "80280004e57a3bcf";

    // RFC 5769 section 2.2: the IPv4 response (SOFTWARE "test vector", XOR-MAPPED-ADDRESS 192.0.2.1:32853).
    private const string Response =
        "0101003c2112a442b7e7a701bc34d686fa87dfae" +
        "8022000b7465737420766563746f7220" +
        "002000080001a147e112a643" +
        "000800142b91f599fd9e90c38c7489f92af9ba53f06be7d7" +
        "80280004c07d4c96";

    private static readonly byte[] Password = Encoding.UTF8.GetBytes("VOkJxbRl1RmTxUk/WvJxBt");

    [Fact]
    public void RequestVectorParsesAndVerifies()
    {
        byte[] packet = Hex.Parse(Request);
        Assert.True(StunMessage.TryParse(packet, out var message));
        Assert.Equal(StunMessage.BindingRequest, message.Type);
        Assert.True(message.TryGetAttribute(StunAttribute.Username, out var username));
        Assert.Equal("evtj:h6vY", Encoding.UTF8.GetString(username));
        Assert.True(message.HasAttribute(StunAttribute.IceControlled));
        Assert.False(message.HasAttribute(StunAttribute.UseCandidate));
        Assert.True(message.VerifyIntegrity(Password));
        Assert.True(message.VerifyFingerprint());
        Assert.False(message.VerifyIntegrity("wrong"u8));
    }

    [Fact]
    public void ResponseVectorVerifiesAndDecodesTheMappedAddress()
    {
        byte[] packet = Hex.Parse(Response);
        Assert.True(StunMessage.TryParse(packet, out var message));
        Assert.Equal(StunMessage.BindingSuccess, message.Type);
        Assert.True(message.VerifyIntegrity(Password));
        Assert.True(message.VerifyFingerprint());
        Assert.True(message.TryGetAttribute(StunAttribute.XorMappedAddress, out var mapped));
        Assert.Equal("0001a147e112a643", Convert.ToHexStringLower(mapped));
    }

    [Fact]
    public void WrittenResponseMatchesTheVectorsAttributes()
    {
        byte[] request = Hex.Parse(Request);
        StunMessage.TryParse(request, out var parsed);
        byte[] transactionId = parsed.TransactionId.ToArray();
        var buffer = new byte[StunWriter.MaxResponseLength];
        int length = StunWriter.WriteBindingSuccess(buffer, transactionId, new IPEndPoint(IPAddress.Parse("192.0.2.1"), 32853), Password);

        Assert.True(StunMessage.TryParse(buffer.AsSpan(0, length), out var response));
        Assert.Equal(StunMessage.BindingSuccess, response.Type);
        Assert.True(response.TransactionId.SequenceEqual(transactionId));
        Assert.True(response.TryGetAttribute(StunAttribute.XorMappedAddress, out var mapped));
        Assert.Equal("0001a147e112a643", Convert.ToHexStringLower(mapped));
        Assert.True(response.VerifyIntegrity(Password));
        Assert.True(response.VerifyFingerprint());
    }

    [Fact]
    public void Ipv6MappedAddressXorsWithTheTransactionId()
    {
        // RFC 5769 section 2.3: 2001:db8:1234:5678:11:2233:4455:6677 port 32853.
        byte[] transactionId = Hex.Parse("b7e7a701bc34d686fa87dfae");
        var buffer = new byte[StunWriter.MaxResponseLength];
        int length = StunWriter.WriteBindingSuccess(buffer, transactionId, new IPEndPoint(IPAddress.Parse("2001:db8:1234:5678:11:2233:4455:6677"), 32853), Password);
        StunMessage.TryParse(buffer.AsSpan(0, length), out var response);
        Assert.True(response.TryGetAttribute(StunAttribute.XorMappedAddress, out var mapped));
        Assert.Equal("0002a1470113a9faa5d3f179bc25f4b5bed2b9d9", Convert.ToHexStringLower(mapped));
    }

    [Fact]
    public void EveryPrefixAndEveryFlippedBitIsRefusedOrFailsIntegrity()
    {
        byte[] packet = Hex.Parse(Request);
        for (int length = 0; length < packet.Length; length++)
        {
            Assert.False(StunMessage.TryParse(packet.AsSpan(0, length), out _));
        }

        for (int bit = 0; bit < packet.Length * 8; bit++)
        {
            byte[] copy = (byte[])packet.Clone();
            copy[bit / 8] ^= (byte)(1 << (bit % 8));
            bool accepted = StunMessage.TryParse(copy, out var message) && message.VerifyIntegrity(Password) && message.VerifyFingerprint();
            Assert.False(accepted, $"bit {bit} flipped was accepted");
        }
    }

    [Fact]
    public void AttributeLengthsPastTheEndAreRefused()
    {
        byte[] packet = Hex.Parse(Request);
        packet[22] = 0x00; // SOFTWARE length 0x0010 -> 0x00ff
        packet[23] = 0xff;
        Assert.False(StunMessage.TryParse(packet, out _));
    }
}
