namespace Stagecast.WebRtc.Srtp;

/// <summary>The DTLS-SRTP protection profiles Stagecast negotiates (RFC 5764 section 4.1.2, RFC 7714 section 14.2).</summary>
public enum SrtpProfile
{
    /// <summary>SRTP_AES128_CM_HMAC_SHA1_80: AES counter mode, HMAC-SHA1 tag truncated to 80 bits (RFC 3711).</summary>
    AesCm128HmacSha1_80 = 0x0001,

    /// <summary>SRTP_AEAD_AES_128_GCM: AES-GCM with a 128-bit tag (RFC 7714).</summary>
    AeadAes128Gcm = 0x0007,
}

public static class SrtpProfileExtensions
{
    public const int KeyLength = 16;

    public static int SaltLength(this SrtpProfile profile) => profile == SrtpProfile.AeadAes128Gcm ? 12 : 14;

    /// <summary>Bytes of authentication tag each protected packet carries.</summary>
    public static int TagLength(this SrtpProfile profile) => profile == SrtpProfile.AeadAes128Gcm ? 16 : 10;

    /// <summary>Bytes a protected RTCP packet grows by: the tag and the 4-byte E flag and SRTCP index.</summary>
    public static int RtcpOverhead(this SrtpProfile profile) => profile.TagLength() + 4;
}
