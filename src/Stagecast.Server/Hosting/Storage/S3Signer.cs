using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Stagecast.Server.Hosting.Storage;

/// <summary>
/// AWS Signature Version 4 for S3 (path-style URLs), the part of the AWS SDK Stagecast needs: a signed request's
/// Authorization header, and a presigned GET link. The canonical request, the string to sign and the signing key are
/// as the S3 API reference describes them ("Authenticating Requests: AWS Signature Version 4").
/// </summary>
public sealed class S3Signer(string accessKey, string secret, string region)
{
    private const string Algorithm = "AWS4-HMAC-SHA256";
    private const string Service = "s3";

    /// <summary>The payload hash of a presigned link, whose body is not known when it is signed.</summary>
    public const string UnsignedPayload = "UNSIGNED-PAYLOAD";

    /// <summary>
    /// Signs a request: adds <c>x-amz-date</c> and <c>x-amz-content-sha256</c> and returns the Authorization value, over
    /// the host and every header given (names lower case).
    /// </summary>
    public string Authorization(string method, Uri url, SortedDictionary<string, string> headers, string payloadHash, DateTimeOffset now)
    {
        string time = Timestamp(now);
        headers["host"] = url.Authority;
        headers["x-amz-date"] = time;
        headers["x-amz-content-sha256"] = payloadHash;
        string signedHeaders = string.Join(';', headers.Keys);
        string canonical = $"{method}\n{CanonicalPath(url)}\n{CanonicalQuery(url)}\n" +
            string.Concat(headers.Select(h => $"{h.Key}:{h.Value.Trim()}\n")) + $"\n{signedHeaders}\n{payloadHash}";
        string scope = Scope(now);
        return $"{Algorithm} Credential={accessKey}/{scope}, SignedHeaders={signedHeaders}, Signature={Signature(canonical, time, scope, now)}";
    }

    /// <summary>A GET link anyone holding it may use until <paramref name="expires"/> (at most seven days from now).</summary>
    public Uri Presign(Uri url, DateTimeOffset now, DateTimeOffset expires)
    {
        string time = Timestamp(now);
        string scope = Scope(now);
        long seconds = Math.Clamp((long)Math.Ceiling((expires - now).TotalSeconds), 1, 7 * 24 * 3600);
        var query = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["X-Amz-Algorithm"] = Algorithm,
            ["X-Amz-Credential"] = $"{accessKey}/{scope}",
            ["X-Amz-Date"] = time,
            ["X-Amz-Expires"] = seconds.ToString(CultureInfo.InvariantCulture),
            ["X-Amz-SignedHeaders"] = "host",
        };
        string canonicalQuery = Query(query);
        string canonical = $"GET\n{CanonicalPath(url)}\n{canonicalQuery}\nhost:{url.Authority}\n\nhost\n{UnsignedPayload}";
        return new Uri($"{url.GetLeftPart(UriPartial.Path)}?{canonicalQuery}&X-Amz-Signature={Signature(canonical, time, scope, now)}");
    }

    /// <summary>The hex SHA-256 of a payload, as <c>x-amz-content-sha256</c> carries it.</summary>
    public static string PayloadHash(ReadOnlySpan<byte> payload) => Convert.ToHexStringLower(SHA256.HashData(payload));

    public static async Task<string> PayloadHashAsync(Stream payload, CancellationToken cancellationToken) =>
        Convert.ToHexStringLower(await SHA256.HashDataAsync(payload, cancellationToken).ConfigureAwait(false));

    /// <summary>Percent-encodes as SigV4 wants: everything but A-Z a-z 0-9 - . _ ~ (and '/' in a path), upper-case hex.</summary>
    public static string Encode(string value, bool keepSlash = false)
    {
        var encoded = new StringBuilder(value.Length);
        foreach (byte b in Encoding.UTF8.GetBytes(value))
        {
            char c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' || (keepSlash && c == '/'))
            {
                encoded.Append(c);
            }
            else
            {
                encoded.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return encoded.ToString();
    }

    private string Signature(string canonicalRequest, string time, string scope, DateTimeOffset now)
    {
        string stringToSign = $"{Algorithm}\n{time}\n{scope}\n{PayloadHash(Encoding.UTF8.GetBytes(canonicalRequest))}";
        byte[] key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secret), Date(now));
        key = Hmac(key, region);
        key = Hmac(key, Service);
        key = Hmac(key, "aws4_request");
        return Convert.ToHexStringLower(Hmac(key, stringToSign));
    }

    private string Scope(DateTimeOffset now) => $"{Date(now)}/{region}/{Service}/aws4_request";

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string Date(DateTimeOffset now) => now.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private static string Timestamp(DateTimeOffset now) => now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The path as sent (already encoded once by <see cref="Encode"/> when the URL was built).</summary>
    private static string CanonicalPath(Uri url) => url.AbsolutePath;

    private static string CanonicalQuery(Uri url)
    {
        var pairs = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (string pair in url.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = pair.IndexOf('=');
            pairs[Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals])] = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..]);
        }

        return Query(pairs);
    }

    private static string Query(SortedDictionary<string, string> pairs) =>
        string.Join('&', pairs.Select(p => $"{Encode(p.Key)}={Encode(p.Value)}"));
}
