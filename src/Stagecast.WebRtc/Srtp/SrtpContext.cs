using System.Buffers.Binary;
using System.Security.Cryptography;
using Stagecast.Media.Rtp;

namespace Stagecast.WebRtc.Srtp;

/// <summary>
/// One direction of SRTP and SRTCP (RFC 3711; RFC 7714 for AES-GCM): protects what a session sends, or checks and
/// decrypts what it receives. Per SSRC it tracks the rollover counter and a replay window. Packets are processed
/// in place; a protected packet grows by the tag (RTP) or the tag and SRTCP index (RTCP). Thread-safe.
/// </summary>
public sealed partial class SrtpContext : IDisposable
{
    /// <summary>SSRCs tracked per context; a peer announcing more is refused (state stays bounded).</summary>
    public const int MaxSsrcs = 64;

    private readonly SrtpProfile _profile;
    private readonly int _tagLength;
    private readonly Keys _rtp;
    private readonly Keys _rtcp;
    private readonly Dictionary<uint, RtpState> _rtpStates = [];
    private readonly Dictionary<uint, RtcpState> _rtcpStates = [];
    private readonly byte[] _scratch = new byte[2048];
    private readonly Lock _sync = new();

    public SrtpContext(SrtpProfile profile, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt)
    {
        if (masterKey.Length != SrtpProfileExtensions.KeyLength || masterSalt.Length != profile.SaltLength())
        {
            throw new ArgumentException($"{profile} takes a 16-byte key and a {profile.SaltLength()}-byte salt");
        }

        _profile = profile;
        _tagLength = profile.TagLength();
        byte[] key = masterKey.ToArray();
        _rtp = new Keys(profile, key, masterSalt, SrtpKeyDerivation.RtpEncryption, SrtpKeyDerivation.RtpAuthentication, SrtpKeyDerivation.RtpSalt);
        _rtcp = new Keys(profile, key, masterSalt, SrtpKeyDerivation.RtcpEncryption, SrtpKeyDerivation.RtcpAuthentication, SrtpKeyDerivation.RtcpSalt);
    }

    public SrtpProfile Profile => _profile;

    /// <summary>Protects the RTP packet in <c>buffer[..length]</c>; the buffer needs room for the tag. Returns the new length.</summary>
    public int ProtectRtp(Span<byte> buffer, int length)
    {
        var packet = buffer[..length];
        if (!RtpHeader.TryGetLength(packet, out int headerLength))
        {
            throw new WebRtcProtocolException("not an RTP packet");
        }

        uint ssrc = RtpHeader.Ssrc(packet);
        ushort seq = RtpHeader.SequenceNumber(packet);
        lock (_sync)
        {
            var state = RtpStateOf(ssrc) ?? throw new WebRtcProtocolException("too many SSRCs");
            uint roc = state.Started ? EstimateRoc(state, seq) : 0;
            state.Advance(seq, roc);
            var output = buffer[..(length + _tagLength)];
            if (_profile == SrtpProfile.AeadAes128Gcm)
            {
                Span<byte> nonce = stackalloc byte[12];
                RtpNonce(nonce, _rtp.Salt, ssrc, roc, seq);
                var payload = output[headerLength..length];
                _rtp.Gcm!.Encrypt(nonce, payload, payload, output[length..], output[..headerLength]);
            }
            else
            {
                ApplyKeystream(_rtp, ssrc, ((long)roc << 16) | seq, output[headerLength..length]);
                WriteTag(_rtp, output[..length], roc, output[length..]);
            }
        }

        return length + _tagLength;
    }

    /// <summary>Authenticates and decrypts an SRTP packet in place; false (and nothing changed) when it fails or is a replay.</summary>
    public bool TryUnprotectRtp(Span<byte> packet, out int length)
    {
        length = 0;
        if (!RtpHeader.TryGetLength(packet, out int headerLength) || packet.Length < headerLength + _tagLength)
        {
            return false;
        }

        uint ssrc = RtpHeader.Ssrc(packet);
        ushort seq = RtpHeader.SequenceNumber(packet);
        int end = packet.Length - _tagLength;
        lock (_sync)
        {
            if (RtpStateOf(ssrc) is not { } state)
            {
                return false;
            }

            uint roc = state.Started ? EstimateRoc(state, seq) : 0;
            long index = ((long)roc << 16) | seq;
            if (state.Window.IsReplay(index))
            {
                return false;
            }

            if (_profile == SrtpProfile.AeadAes128Gcm)
            {
                Span<byte> nonce = stackalloc byte[12];
                RtpNonce(nonce, _rtp.Salt, ssrc, roc, seq);
                if (!_rtp.Gcm!.TryDecrypt(nonce, packet[headerLength..end], packet[end..], packet[headerLength..end], packet[..headerLength]))
                {
                    return false;
                }
            }
            else
            {
                Span<byte> expected = stackalloc byte[20];
                WriteTag(_rtp, packet[..end], roc, expected);
                if (!CryptographicOperations.FixedTimeEquals(expected[.._tagLength], packet[end..]))
                {
                    return false;
                }

                ApplyKeystream(_rtp, ssrc, index, packet[headerLength..end]);
            }

            state.Window.Accept(index);
            state.Advance(seq, roc);
        }

        length = end;
        return true;
    }

    /// <summary>Protects the RTCP packet in <c>buffer[..length]</c> (needs room for the tag and index). Returns the new length.</summary>
    public int ProtectRtcp(byte[] buffer, int length)
    {
        if (length < 8)
        {
            throw new WebRtcProtocolException("RTCP packet too short");
        }

        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(4));
        lock (_sync)
        {
            var state = RtcpStateOf(ssrc) ?? throw new WebRtcProtocolException("too many SSRCs");
            uint index = ++state.SendIndex & 0x7FFFFFFF;
            uint eIndex = 0x80000000 | index;
            var output = buffer.AsSpan(0, length + _profile.RtcpOverhead());
            if (_profile == SrtpProfile.AeadAes128Gcm)
            {
                // header | ciphertext | tag | E+index, the index also authenticated (RFC 7714 section 9)
                BinaryPrimitives.WriteUInt32BigEndian(output[(length + _tagLength)..], eIndex);
                Span<byte> nonce = stackalloc byte[12];
                RtcpNonce(nonce, _rtcp.Salt, ssrc, index);
                Span<byte> aad = stackalloc byte[12];
                output[..8].CopyTo(aad);
                BinaryPrimitives.WriteUInt32BigEndian(aad[8..], eIndex);
                var payload = output[8..length];
                _rtcp.Gcm!.Encrypt(nonce, payload, payload, output[length..(length + _tagLength)], aad);
            }
            else
            {
                ApplyKeystream(_rtcp, ssrc, index, output[8..length]);
                BinaryPrimitives.WriteUInt32BigEndian(output[length..], eIndex);
                WriteTag(_rtcp, output[..(length + 4)], null, output[(length + 4)..]);
            }
        }

        return length + _profile.RtcpOverhead();
    }

    /// <summary>Authenticates and decrypts an SRTCP packet in place; false when it fails or is a replay.</summary>
    public bool TryUnprotectRtcp(Span<byte> packet, out int length)
    {
        length = 0;
        int overhead = _profile.RtcpOverhead();
        if (packet.Length < 8 + overhead)
        {
            return false;
        }

        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);
        bool gcm = _profile == SrtpProfile.AeadAes128Gcm;
        int indexAt = gcm ? packet.Length - 4 : packet.Length - overhead;
        uint eIndex = BinaryPrimitives.ReadUInt32BigEndian(packet[indexAt..]);
        uint index = eIndex & 0x7FFFFFFF;
        bool encrypted = (eIndex & 0x80000000) != 0;
        int end = packet.Length - overhead;
        lock (_sync)
        {
            if (RtcpStateOf(ssrc) is not { } state || state.Window.IsReplay(index))
            {
                return false;
            }

            if (gcm)
            {
                Span<byte> nonce = stackalloc byte[12];
                RtcpNonce(nonce, _rtcp.Salt, ssrc, index);
                var tag = packet[end..(end + _tagLength)];
                bool authentic;
                if (encrypted)
                {
                    Span<byte> aad = stackalloc byte[12];
                    packet[..8].CopyTo(aad);
                    BinaryPrimitives.WriteUInt32BigEndian(aad[8..], eIndex);
                    authentic = _rtcp.Gcm!.TryDecrypt(nonce, packet[8..end], tag, packet[8..end], aad);
                }
                else
                {
                    // Authenticated only: the whole packet and the index are the associated data.
                    Span<byte> aad = new byte[end + 4];
                    packet[..end].CopyTo(aad);
                    BinaryPrimitives.WriteUInt32BigEndian(aad[end..], eIndex);
                    authentic = _rtcp.Gcm!.TryDecrypt(nonce, [], tag, [], aad);
                }

                if (!authentic)
                {
                    return false;
                }
            }
            else
            {
                Span<byte> expected = stackalloc byte[20];
                WriteTag(_rtcp, packet[..(end + 4)], null, expected);
                if (!CryptographicOperations.FixedTimeEquals(expected[.._tagLength], packet[(end + 4)..]))
                {
                    return false;
                }

                if (encrypted)
                {
                    ApplyKeystream(_rtcp, ssrc, index, packet[8..end]);
                }
            }

            state.Window.Accept(index);
        }

        length = end;
        return true;
    }

    public void Dispose()
    {
        _rtp.Dispose();
        _rtcp.Dispose();
    }
}
