using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Stagecast.WebRtc.Srtp;

public sealed partial class SrtpContext
{
    /// <summary>The rollover counter a sequence number most likely belongs to (RFC 3711 section 3.3.1, appendix A).</summary>
    private static uint EstimateRoc(RtpState state, ushort seq)
    {
        uint roc = state.Roc;
        int last = state.LastSeq;
        if (last < 0x8000)
        {
            return seq - last > 0x8000 && roc > 0 ? roc - 1 : roc;
        }

        return last - 0x8000 > seq ? roc + 1 : roc;
    }

    /// <summary>AES-CM: XORs the keystream for (SSRC, index) over the data (RFC 3711 section 4.1.1).</summary>
    private void ApplyKeystream(Keys keys, uint ssrc, long index, Span<byte> data)
    {
        int blocks = (data.Length + 15) / 16;
        var counters = _scratch.AsSpan(0, blocks * 16);
        Span<byte> iv = stackalloc byte[16];
        keys.Salt.CopyTo(iv);
        iv[14] = 0;
        iv[15] = 0;
        Span<byte> mix = stackalloc byte[16];
        mix.Clear();
        BinaryPrimitives.WriteUInt32BigEndian(mix[4..], ssrc);
        mix[8] = (byte)(index >> 40);
        mix[9] = (byte)(index >> 32);
        BinaryPrimitives.WriteUInt32BigEndian(mix[10..], (uint)index);
        for (int i = 0; i < 16; i++)
        {
            iv[i] ^= mix[i];
        }

        for (int b = 0; b < blocks; b++)
        {
            var block = counters.Slice(b * 16, 16);
            iv.CopyTo(block);
            BinaryPrimitives.WriteUInt16BigEndian(block[14..], (ushort)b);
        }

        keys.Aes!.EncryptEcb(counters, counters, PaddingMode.None);
        for (int i = 0; i < data.Length; i++)
        {
            data[i] ^= counters[i];
        }
    }

    /// <summary>HMAC-SHA1 over the authenticated portion (and the ROC for RTP), truncated by the caller.</summary>
    private static void WriteTag(Keys keys, ReadOnlySpan<byte> authenticated, uint? roc, Span<byte> destination)
    {
        var mac = keys.Mac!;
        mac.AppendData(authenticated);
        if (roc is { } value)
        {
            Span<byte> rocBytes = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(rocBytes, value);
            mac.AppendData(rocBytes);
        }

        Span<byte> hash = stackalloc byte[20];
        mac.GetHashAndReset(hash);
        hash[..Math.Min(destination.Length, 20)].CopyTo(destination);
    }

    /// <summary>AES-GCM RTP IV: 00 00 | SSRC | ROC | SEQ, XOR the session salt (RFC 7714 section 8.1).</summary>
    private static void RtpNonce(Span<byte> nonce, byte[] salt, uint ssrc, uint roc, ushort seq)
    {
        nonce.Clear();
        BinaryPrimitives.WriteUInt32BigEndian(nonce[2..], ssrc);
        BinaryPrimitives.WriteUInt32BigEndian(nonce[6..], roc);
        BinaryPrimitives.WriteUInt16BigEndian(nonce[10..], seq);
        Xor(nonce, salt);
    }

    /// <summary>AES-GCM RTCP IV: 00 00 | SSRC | 00 00 | index, XOR the session salt (RFC 7714 section 9.1).</summary>
    private static void RtcpNonce(Span<byte> nonce, byte[] salt, uint ssrc, uint index)
    {
        nonce.Clear();
        BinaryPrimitives.WriteUInt32BigEndian(nonce[2..], ssrc);
        BinaryPrimitives.WriteUInt32BigEndian(nonce[8..], index);
        Xor(nonce, salt);
    }

    private static void Xor(Span<byte> target, ReadOnlySpan<byte> with)
    {
        for (int i = 0; i < target.Length; i++)
        {
            target[i] ^= with[i];
        }
    }

    private RtpState? RtpStateOf(uint ssrc)
    {
        if (!_rtpStates.TryGetValue(ssrc, out var state))
        {
            if (_rtpStates.Count >= MaxSsrcs)
            {
                return null;
            }

            state = new RtpState();
            _rtpStates[ssrc] = state;
        }

        return state;
    }

    private RtcpState? RtcpStateOf(uint ssrc)
    {
        if (!_rtcpStates.TryGetValue(ssrc, out var state))
        {
            if (_rtcpStates.Count >= MaxSsrcs)
            {
                return null;
            }

            state = new RtcpState();
            _rtcpStates[ssrc] = state;
        }

        return state;
    }

    /// <summary>The session keys of one of RTP or RTCP.</summary>
    private sealed class Keys : IDisposable
    {
        public Keys(SrtpProfile profile, byte[] masterKey, ReadOnlySpan<byte> masterSalt, byte encryptionLabel, byte authenticationLabel, byte saltLabel)
        {
            byte[] key = SrtpKeyDerivation.Derive(masterKey, masterSalt, encryptionLabel, SrtpProfileExtensions.KeyLength);
            Salt = SrtpKeyDerivation.Derive(masterKey, masterSalt, saltLabel, profile.SaltLength());
            if (profile == SrtpProfile.AeadAes128Gcm)
            {
                Gcm = new Aes128Gcm(key, profile.TagLength());
            }
            else
            {
                Aes = System.Security.Cryptography.Aes.Create();
                Aes.Key = key;
                Mac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, SrtpKeyDerivation.Derive(masterKey, masterSalt, authenticationLabel, 20));
            }
        }

        public byte[] Salt { get; }

        public Aes? Aes { get; }

        public Aes128Gcm? Gcm { get; }

        public IncrementalHash? Mac { get; }

        public void Dispose()
        {
            Aes?.Dispose();
            Gcm?.Dispose();
            Mac?.Dispose();
        }
    }

    private sealed class RtpState
    {
        public ReplayWindow Window;

        public bool Started { get; private set; }

        public int LastSeq { get; private set; }

        public uint Roc { get; private set; }

        /// <summary>Moves the highest (sequence, ROC) forward; an older packet leaves it as it is.</summary>
        public void Advance(ushort seq, uint roc)
        {
            if (!Started || ((long)roc << 16 | seq) > ((long)Roc << 16 | (uint)LastSeq))
            {
                Started = true;
                LastSeq = seq;
                Roc = roc;
            }
        }
    }

    private sealed class RtcpState
    {
        public ReplayWindow Window;

        public uint SendIndex;
    }
}
