using System.Text;
using Org.BouncyCastle.Crypto.Digests;

namespace Stagecast.Server.Hosting.Security;

/// <summary>
/// API tokens are stored only as SHA-256 digests: they carry over 200 random bits, so a fast hash is enough and
/// a leaked database reveals no usable token. The digest is BouncyCastle's (in the binary already, for DTLS), not
/// .NET's, which on Linux is OpenSSL's: the first API call would map libcrypto and libssl, 3.7 MiB of a server that
/// otherwise needs neither until a stream or a WebRTC session comes (`docs/decisions.md`, "Memory at rest").
/// </summary>
public static class TokenHasher
{
    public static byte[] Hash(string token)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(token);
        var digest = new Sha256Digest();
        digest.BlockUpdate(bytes, 0, bytes.Length);
        byte[] hash = new byte[digest.GetDigestSize()];
        digest.DoFinal(hash, 0);
        return hash;
    }

    /// <summary>The part of a token safe to show in listings and logs.</summary>
    public static string DisplayPrefix(string token) => token.Length <= 8 ? token : token[..8];
}
