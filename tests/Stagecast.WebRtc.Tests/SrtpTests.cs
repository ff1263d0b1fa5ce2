using Stagecast.Media.Rtp;
using Stagecast.Testing;
using Stagecast.WebRtc.Srtp;

namespace Stagecast.WebRtc.Tests;

/// <summary>SRTP and SRTCP against libsrtp's known-answer packets (test/srtp_driver.c), both ways, and its defences.</summary>
public sealed class SrtpTests
{
    private const string RtpPlain = "800f1234decafbadcafebabe" + "abababababababababababababababab";
    private const string RtcpPlain = "81c8000bcafebabe" + "abababababababababababababababab";

    // AES_CM_128_HMAC_SHA1_80 (srtp_validate): key and salt of test_key.
    private static readonly byte[] CmKey = Hex.Parse("e1f97a0d3e018be0d64fa32c06de4139");
    private static readonly byte[] CmSalt = Hex.Parse("0ec675ad498afeebb6960b3aabe6");
    private const string CmRtp = "800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc99ea179b8dbb";
    private const string CmRtcp = "81c8000bcafebabe7128035be487b9bdbef89041f977a5a880000001993e08cd54d6c1230798";

    // AEAD_AES_128_GCM (srtp_validate_gcm): test_key_gcm.
    private static readonly byte[] GcmKey = Hex.Parse("000102030405060708090a0b0c0d0e0f");
    private static readonly byte[] GcmSalt = Hex.Parse("a0a1a2a3a4a5a6a7a8a9aaab");
    private const string GcmRtp = "800f1234decafbadcafebabec5002ede04cfdd2eb91159e0880aa06ed2976826f796b201df3131a127e8a392";
    private const string GcmRtcp = "81c8000bcafebabec98b8b5df0392a55852b6c21ac8e7025c52c6fbea2b3b446ea31123ba88ce61e80000001";

    public static TheoryData<SrtpProfile, string, string> RtpVectors => new()
    {
        { SrtpProfile.AesCm128HmacSha1_80, RtpPlain, CmRtp },
        { SrtpProfile.AeadAes128Gcm, RtpPlain, GcmRtp },
    };

    public static TheoryData<SrtpProfile, string, string> RtcpVectors => new()
    {
        { SrtpProfile.AesCm128HmacSha1_80, RtcpPlain, CmRtcp },
        { SrtpProfile.AeadAes128Gcm, RtcpPlain, GcmRtcp },
    };

    [Theory]
    [MemberData(nameof(RtpVectors))]
    public void RtpMatchesLibsrtpBothWays(SrtpProfile profile, string plain, string protectedPacket)
    {
        using var sender = Context(profile);
        byte[] buffer = new byte[64];
        byte[] input = Hex.Parse(plain);
        input.CopyTo(buffer, 0);
        int length = sender.ProtectRtp(buffer, input.Length);
        Assert.Equal(protectedPacket, Hex.Of(buffer.AsSpan(0, length)));

        using var receiver = Context(profile);
        byte[] received = Hex.Parse(protectedPacket);
        Assert.True(receiver.TryUnprotectRtp(received, out int plainLength));
        Assert.Equal(plain, Hex.Of(received.AsSpan(0, plainLength)));
    }

    [Theory]
    [MemberData(nameof(RtcpVectors))]
    public void RtcpMatchesLibsrtpBothWays(SrtpProfile profile, string plain, string protectedPacket)
    {
        using var sender = Context(profile);
        byte[] buffer = new byte[64];
        byte[] input = Hex.Parse(plain);
        input.CopyTo(buffer, 0);
        int length = sender.ProtectRtcp(buffer, input.Length);
        Assert.Equal(protectedPacket, Hex.Of(buffer.AsSpan(0, length)));

        using var receiver = Context(profile);
        byte[] received = Hex.Parse(protectedPacket);
        Assert.True(receiver.TryUnprotectRtcp(received, out int plainLength));
        Assert.Equal(plain, Hex.Of(received.AsSpan(0, plainLength)));
    }

    [Theory]
    [InlineData(SrtpProfile.AesCm128HmacSha1_80)]
    [InlineData(SrtpProfile.AeadAes128Gcm)]
    public void TamperedAndReplayedPacketsAreRefusedAndChangeNoState(SrtpProfile profile)
    {
        using var receiver = Context(profile);
        string good = profile == SrtpProfile.AeadAes128Gcm ? GcmRtp : CmRtp;
        foreach (int flip in new[] { 1, 3, 5, 9, 13, 30, 37 })
        {
            byte[] tampered = Hex.Parse(good);
            tampered[flip] ^= 0x01;
            Assert.False(receiver.TryUnprotectRtp(tampered, out _));
        }

        byte[] first = Hex.Parse(good); // the genuine packet still decrypts: the forgeries moved no window or counter
        Assert.True(receiver.TryUnprotectRtp(first, out int length));
        Assert.Equal(RtpPlain, Hex.Of(first.AsSpan(0, length)));
        Assert.False(receiver.TryUnprotectRtp(Hex.Parse(good), out _)); // the same packet again: a replay
        Assert.False(receiver.TryUnprotectRtp(Hex.Parse("800f1234"), out _)); // truncated
    }

    [Theory]
    [InlineData(SrtpProfile.AesCm128HmacSha1_80)]
    [InlineData(SrtpProfile.AeadAes128Gcm)]
    public void SequenceNumbersWrapIntoTheNextRolloverAndLatePacketsStillDecrypt(SrtpProfile profile)
    {
        using var sender = Context(profile);
        using var receiver = Context(profile);
        var sent = new List<(ushort Seq, byte[] Packet)>();
        for (int i = 0; i < 200; i++)
        {
            ushort seq = (ushort)(65_436 + i); // crosses 65535 -> 0
            byte[] buffer = PlainPacket(seq);
            buffer[20] = (byte)i;
            int length = sender.ProtectRtp(buffer, 28);
            sent.Add((seq, buffer[..length]));
        }

        // Delivered with a few out of order around the wrap; all decrypt to what was sent.
        var order = Enumerable.Range(0, 200).ToList();
        (order[99], order[101]) = (order[101], order[99]);
        (order[150], order[140]) = (order[140], order[150]);
        foreach (int i in order)
        {
            byte[] packet = [.. sent[i].Packet];
            Assert.True(receiver.TryUnprotectRtp(packet, out int length), $"packet {i} (seq {sent[i].Seq})");
            Assert.Equal((byte)i, packet[20]);
            Assert.Equal(28, length);
        }

        byte[] tooOld = [.. sent[10].Packet];
        Assert.False(receiver.TryUnprotectRtp(tooOld, out _)); // behind the replay window
    }

    [Fact]
    public void AReceiverThatMissedTheFirstPacketsDecryptsWhenTheSenderStartedBelowTheWrapAndNotAcrossIt()
    {
        // A receiver counts its rollover from the first packet it decrypts: had the sequence wrapped among the
        // packets it missed (sent while its DTLS was finishing), nothing after would decrypt.
        Assert.False(FirstDecryptsAfterMissing(start: 65_530, missed: 10));

        // So outgoing streams start below 2^15, and a wrap comes only 32,768 packets in.
        var starts = Enumerable.Range(0, 10_000).Select(_ => RtpHeader.InitialSequenceNumber()).ToArray();
        Assert.All(starts, start => Assert.InRange(start, 0, (1 << 15) - 1));
        Assert.True(starts.Distinct().Count() > 5_000); // and they are random
        Assert.True(FirstDecryptsAfterMissing(start: starts.Max(), missed: 10));
    }

    private static bool FirstDecryptsAfterMissing(ushort start, int missed)
    {
        using var sender = Context(SrtpProfile.AeadAes128Gcm);
        using var receiver = Context(SrtpProfile.AeadAes128Gcm);
        byte[] packet = [];
        for (int i = 0; i <= missed; i++)
        {
            byte[] buffer = PlainPacket((ushort)(start + i));
            packet = buffer[..sender.ProtectRtp(buffer, 28)];
        }

        return receiver.TryUnprotectRtp(packet, out _);
    }

    /// <summary>The 28-byte <see cref="RtpPlain"/> with sequence number <paramref name="seq"/>, in a buffer with room for the tag.</summary>
    private static byte[] PlainPacket(ushort seq)
    {
        byte[] buffer = new byte[64];
        Hex.Parse(RtpPlain).CopyTo(buffer, 0);
        buffer[2] = (byte)(seq >> 8);
        buffer[3] = (byte)seq;
        return buffer;
    }

    private static SrtpContext Context(SrtpProfile profile) => profile == SrtpProfile.AeadAes128Gcm
        ? new SrtpContext(profile, GcmKey, GcmSalt)
        : new SrtpContext(profile, CmKey, CmSalt);
}
