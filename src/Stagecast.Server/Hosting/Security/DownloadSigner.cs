using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Stagecast.Server.Hosting.Security;

/// <summary>
/// Signed, expiring download URLs (the way RealtimeKit hands out chat exports): HMAC-SHA256 over the path and the
/// expiry, under a key derived from the data directory's master key. Anyone with the URL may fetch it until it expires.
/// </summary>
public sealed class DownloadSigner(byte[] masterKey, TimeProvider time)
{
    // Derived at first use: a server nobody has asked anything of loads no cryptography library.
    private readonly Lazy<byte[]> _key = new(() => HKDF.DeriveKey(HashAlgorithmName.SHA256, masterKey, 32, info: "stagecast download urls"u8.ToArray()));

    public static TimeSpan Lifetime { get; } = TimeSpan.FromHours(1);

    /// <summary>The query string (without '?') that makes <paramref name="path"/> downloadable until the returned time.</summary>
    public (string Query, DateTimeOffset Expires) Sign(string path, TimeSpan? lifetime = null)
    {
        long unix = (time.GetUtcNow() + (lifetime ?? Lifetime)).ToUnixTimeSeconds();
        return (SignUntil(path, unix), DateTimeOffset.FromUnixTimeSeconds(unix));
    }

    /// <summary>
    /// The whole URL under <paramref name="httpBase"/> that downloads <paramref name="path"/> (as the server's routes
    /// see it, unescaped; each segment is escaped in the URL) until the returned time.
    /// </summary>
    public (string Url, DateTimeOffset Expires) Link(string httpBase, string path, TimeSpan? lifetime = null)
    {
        var (query, expires) = Sign(path, lifetime);
        return ($"{httpBase}{string.Join('/', path.Split('/').Select(Uri.EscapeDataString))}?{query}", expires);
    }

    /// <summary>The query string (without '?') that makes <paramref name="path"/> downloadable until <paramref name="expires"/> (Unix seconds).</summary>
    public string SignUntil(string path, long expires) => $"expires={expires}&signature={Signature(path, expires)}";

    public bool IsValid(string path, string? expires, string? signature)
    {
        if (!long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out long unix) || signature is null
            || unix < time.GetUtcNow().ToUnixTimeSeconds())
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Signature(path, unix)), Encoding.ASCII.GetBytes(signature));
    }

    private string Signature(string path, long expires) =>
        Base64Url.EncodeToString(HMACSHA256.HashData(_key.Value, Encoding.UTF8.GetBytes($"{path}\n{expires}")));
}
