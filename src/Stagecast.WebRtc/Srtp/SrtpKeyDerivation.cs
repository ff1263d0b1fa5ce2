using System.Security.Cryptography;

namespace Stagecast.WebRtc.Srtp;

/// <summary>
/// The SRTP key derivation function (RFC 3711 section 4.3): AES in counter mode under the master key, keyed by a
/// label, with key_derivation_rate 0. AES-GCM's 96-bit master salt is used zero-extended to 112 bits (RFC 7714
/// erratum 4938).
/// </summary>
internal static class SrtpKeyDerivation
{
    public const byte RtpEncryption = 0x00;
    public const byte RtpAuthentication = 0x01;
    public const byte RtpSalt = 0x02;
    public const byte RtcpEncryption = 0x03;
    public const byte RtcpAuthentication = 0x04;
    public const byte RtcpSalt = 0x05;

    public static byte[] Derive(byte[] masterKey, ReadOnlySpan<byte> masterSalt, byte label, int length)
    {
        Span<byte> x = stackalloc byte[16];
        masterSalt.CopyTo(x);
        x[7] ^= label;
        int blocks = (length + 15) / 16;
        var counters = new byte[blocks * 16];
        for (int i = 0; i < blocks; i++)
        {
            x.CopyTo(counters.AsSpan(i * 16));
            counters[(i * 16) + 14] = (byte)(i >> 8);
            counters[(i * 16) + 15] = (byte)i;
        }

        using var aes = Aes.Create();
        aes.Key = masterKey;
        return aes.EncryptEcb(counters, PaddingMode.None)[..length];
    }
}
