using System.Security.Cryptography;
using System.Text;

namespace Stagecast.Server.Hosting.Security;

/// <summary>
/// API tokens are stored only as SHA-256 digests: they carry over 200 random bits, so a fast hash is enough and
/// a leaked database reveals no usable token.
/// </summary>
public static class TokenHasher
{
    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>The part of a token safe to show in listings and logs.</summary>
    public static string DisplayPrefix(string token) => token.Length <= 8 ? token : token[..8];
}
