using System.Security.Cryptography;
using Stagecast.Testing;
using Stagecast.WebRtc.Srtp;

namespace Stagecast.WebRtc.Tests;

/// <summary>The managed AES-128-GCM against the GCM specification's known answer and against .NET's own (OpenSSL's) on random inputs of every length an SRTP packet has.</summary>
public sealed class Aes128GcmTests
{
    [Fact]
    public void MatchesTheSpecificationsTestCaseFour()
    {
        // McGrew and Viega, "The Galois/Counter Mode of Operation", test case 4 (a 60-byte plaintext, 20 bytes of associated data).
        byte[] key = Hex.Parse("feffe9928665731c6d6a8f9467308308");
        byte[] nonce = Hex.Parse("cafebabefacedbaddecaf888");
        byte[] plain = Hex.Parse("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
        byte[] aad = Hex.Parse("feedfacedeadbeeffeedfacedeadbeefabaddad2");
        using var gcm = new Aes128Gcm(key, 16);
        byte[] cipher = new byte[plain.Length];
        byte[] tag = new byte[16];

        gcm.Encrypt(nonce, plain, cipher, tag, aad);

        Assert.Equal("42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091", Convert.ToHexStringLower(cipher));
        Assert.Equal("5bc94fbc3221a5db94fae95ae7121a47", Convert.ToHexStringLower(tag));
    }

    [Theory]
    [InlineData(16)]
    [InlineData(12)]
    public void AgreesWithDotNetsAesGcmBothWays(int tagLength)
    {
        var random = new Random(tagLength);
        int[] lengths = [.. Enumerable.Range(0, 100), 127, 128, 129, 255, 256, 1000, 1184, 1199, 1200, 1500];
        foreach (int length in lengths)
        {
            byte[] key = Bytes(random, 16);
            byte[] nonce = Bytes(random, 12);
            byte[] plain = Bytes(random, length);
            byte[] aad = Bytes(random, random.Next(0, 40));
            using var reference = new AesGcm(key, tagLength);
            byte[] expected = new byte[length];
            byte[] expectedTag = new byte[tagLength];
            reference.Encrypt(nonce, plain, expected, expectedTag, aad);

            using var gcm = new Aes128Gcm(key, tagLength);
            byte[] inPlace = (byte[])plain.Clone();
            byte[] tag = new byte[tagLength];
            gcm.Encrypt(nonce, inPlace, inPlace, tag, aad);
            Assert.True(expected.AsSpan().SequenceEqual(inPlace), $"ciphertext of {length} bytes");
            Assert.True(expectedTag.AsSpan().SequenceEqual(tag), $"tag over {length} bytes and {aad.Length} of associated data");

            Assert.True(gcm.TryDecrypt(nonce, inPlace, tag, inPlace, aad));
            Assert.True(plain.AsSpan().SequenceEqual(inPlace), $"decryption of {length} bytes");
        }
    }

    [Fact]
    public void RefusesATamperedPacketAndLeavesItAsItWas()
    {
        var random = new Random(7);
        byte[] key = Bytes(random, 16);
        byte[] nonce = Bytes(random, 12);
        byte[] aad = Bytes(random, 12);
        using var gcm = new Aes128Gcm(key, 16);
        byte[] packet = Bytes(random, 300);
        byte[] tag = new byte[16];
        gcm.Encrypt(nonce, packet, packet, tag, aad);

        foreach (int flip in new[] { 0, 150, 299 })
        {
            byte[] tampered = (byte[])packet.Clone();
            tampered[flip] ^= 0x01;
            byte[] before = (byte[])tampered.Clone();
            Assert.False(gcm.TryDecrypt(nonce, tampered, tag, tampered, aad));
            Assert.Equal(before, tampered);
        }

        byte[] otherAad = (byte[])aad.Clone();
        otherAad[3] ^= 0x80;
        Assert.False(gcm.TryDecrypt(nonce, (byte[])packet.Clone(), tag, new byte[packet.Length], otherAad));
        byte[] otherTag = (byte[])tag.Clone();
        otherTag[15] ^= 0x01;
        Assert.False(gcm.TryDecrypt(nonce, (byte[])packet.Clone(), otherTag, new byte[packet.Length], aad));
        Assert.True(gcm.TryDecrypt(nonce, packet, tag, new byte[packet.Length], aad));
    }

    private static byte[] Bytes(Random random, int length)
    {
        byte[] bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
