using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Stagecast.Server.Features.Outputs;
using Stagecast.Server.Hosting.Api;
using Stagecast.Server.Hosting.Database;
using Stagecast.Server.Hosting.Security;

namespace Stagecast.Server.Features.Recordings;

/// <summary>
/// RealtimeKit's <c>storage_config</c>: where a finished recording is uploaded. <c>type</c> <c>aws</c> (S3 or any
/// S3-compatible server: <c>host</c> is its endpoint URL, path-style addressing), with the bucket, region, keys and an
/// optional key prefix (<c>path</c>).
/// </summary>
public sealed record StorageConfigRequest : IValidatableObject
{
    [Required]
    [AllowedValues("aws")]
    public string? Type { get; init; }

    [Required]
    [StringLength(256)]
    public string? AccessKey { get; init; }

    [Required]
    [StringLength(256)]
    public string? Secret { get; init; }

    [Required]
    [StringLength(63)]
    public string? Bucket { get; init; }

    [StringLength(64)]
    public string? Region { get; init; }

    [StringLength(512)]
    public string? Path { get; init; }

    [StringLength(2048)]
    public string? Host { get; init; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Host is not null && !HttpUrls.TryParse(Host, out _))
        {
            yield return new ValidationResult("\"storage_config.host\" must be an http(s) URL of an S3-compatible endpoint");
        }
    }

    public StorageTarget ToTarget() => new(Host, Region ?? "us-east-1", Bucket!, AccessKey!, Secret!, Path?.Trim('/'));
}

/// <summary>Where a recording goes; sealed at rest (it holds the secret key).</summary>
public sealed record StorageTarget(string? Host, string Region, string Bucket, string AccessKey, string Secret, string? Path)
{
    public string KeyOf(string fileName) => string.IsNullOrEmpty(Path) ? fileName : $"{Path}/{fileName}";
}

/// <summary>
/// Uploads finished recordings to S3-compatible storage, verifies them, and signs download links to them: one PUT of
/// the file (plain body, its SHA-256 signed, as every S3-compatible server understands), a HEAD for its stored size, and
/// presigned GET links (SigV4, <see cref="S3Signer"/>). Path-style URLs, so any endpoint works without DNS per bucket.
/// </summary>
public sealed class RecordingStorage(DestinationPolicy policy, IOptions<OutputDestinationOptions> destinations, StreamKeyProtector keys, TimeProvider time)
    : IDisposable
{
    /// <summary>The dialer of every request on a user's behalf: the destination policy at connect time, no redirect, no proxy.</summary>
    private const int MaxErrorBody = 16 * 1024;
    private const int MaxErrorDetail = 300;

    private readonly HttpClient _http = new(policy.HttpHandler(destinations.Value.AllowPrivate, "--restream-allow-private", TimeSpan.FromSeconds(10)))
    {
        Timeout = Timeout.InfiniteTimeSpan, // an upload is bounded by its caller's cancellation (Stagecast:Recordings:UploadTimeout)
    };

    public byte[] Seal(StorageTarget target) => keys.Protect(JsonSerializer.Serialize(target, RecordingStoredJsonContext.Default.StorageTarget));

    public StorageTarget Unseal(byte[] sealedTarget) => JsonSerializer.Deserialize(keys.Unprotect(sealedTarget), RecordingStoredJsonContext.Default.StorageTarget)!;

    /// <summary>Null when the endpoint may be used; otherwise why not (the outputs' destination policy).</summary>
    public async Task<string?> CheckAsync(StorageTarget target, CancellationToken cancellationToken)
    {
        if (target.Host is null)
        {
            return null; // AWS itself
        }

        var uri = new Uri(target.Host);
        return await policy.CheckAsync(uri, uri.Port, destinations.Value.AllowPrivate, "--restream-allow-private", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Uploads the file and checks the stored object's size; throws with the reason when it fails.</summary>
    public async Task UploadAsync(StorageTarget target, string file, string key, CancellationToken cancellationToken)
    {
        var url = ObjectUrl(target, key);
        var signer = Signer(target);
        await using var content = File.OpenRead(file);
        string payloadHash = await S3Signer.PayloadHashAsync(content, cancellationToken).ConfigureAwait(false);
        content.Position = 0;
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["content-type"] = "video/mp4" };
        using (var put = Request(HttpMethod.Put, url, signer, headers, payloadHash))
        {
            put.Content = new StreamContent(content);
            put.Content.Headers.ContentType = new("video/mp4");
            put.Content.Headers.ContentLength = content.Length;
            using var answer = await _http.SendAsync(put, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            await EnsureSuccessAsync(answer, "PUT", cancellationToken).ConfigureAwait(false);
        }

        using var head = Request(HttpMethod.Head, url, signer, new(StringComparer.Ordinal), S3Signer.PayloadHash([]));
        using var stored = await _http.SendAsync(head, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(stored, "HEAD", cancellationToken).ConfigureAwait(false);
        long size = new FileInfo(file).Length;
        if (stored.Content.Headers.ContentLength != size)
        {
            throw new InvalidOperationException($"the stored object has {stored.Content.Headers.ContentLength} bytes, not {size}");
        }
    }

    /// <summary>A signed GET link to the stored object.</summary>
    public string SignedUrl(StorageTarget target, string key, DateTimeOffset expires) =>
        Signer(target).Presign(ObjectUrl(target, key), time.GetUtcNow(), expires).AbsoluteUri;

    public void Dispose() => _http.Dispose();

    private HttpRequestMessage Request(HttpMethod method, Uri url, S3Signer signer, SortedDictionary<string, string> headers, string payloadHash)
    {
        string authorization = signer.Authorization(method.Method, url, headers, payloadHash, time.GetUtcNow());
        var request = new HttpRequestMessage(method, url);
        foreach (var (name, value) in headers)
        {
            if (name is not ("host" or "content-type"))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return request;
    }

    /// <summary>A failed request's status, with S3's error code and message when its XML body has them.</summary>
    private static async Task EnsureSuccessAsync(HttpResponseMessage answer, string what, CancellationToken cancellationToken)
    {
        int status = (int)answer.StatusCode;
        if (answer.IsSuccessStatusCode)
        {
            return;
        }

        if (status is >= 300 and < 400)
        {
            throw new HttpRequestException($"S3 {what} answered {status}: redirects are not followed", null, answer.StatusCode);
        }

        string body = answer.RequestMessage?.Method == HttpMethod.Head ? "" : await ReadStartAsync(answer.Content, cancellationToken).ConfigureAwait(false);
        string detail = string.Join(": ", new[] { Element(body, "Code"), Element(body, "Message") }.Where(s => s is not null));
        detail = detail.Length > MaxErrorDetail ? detail[..MaxErrorDetail] : detail;
        throw new HttpRequestException($"S3 {what} answered {status}{(detail.Length > 0 ? " " + detail : "")}", null, answer.StatusCode);
    }

    /// <summary>The start of an error body: S3's are a few hundred bytes of XML, and a longer one is not read further.</summary>
    private static async Task<string> ReadStartAsync(HttpContent content, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[MaxErrorBody];
        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        int length = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        return System.Text.Encoding.UTF8.GetString(buffer, 0, length);
    }

    private static string? Element(string xml, string name)
    {
        int start = xml.IndexOf($"<{name}>", StringComparison.Ordinal);
        int end = start < 0 ? -1 : xml.IndexOf($"</{name}>", start, StringComparison.Ordinal);
        return end < 0 ? null : xml[(start + name.Length + 2)..end];
    }

    private static S3Signer Signer(StorageTarget target) => new(target.AccessKey, target.Secret, target.Region);

    /// <summary><c>{endpoint}/{bucket}/{key}</c>: the endpoint given, or AWS's for the region.</summary>
    private static Uri ObjectUrl(StorageTarget target, string key)
    {
        string endpoint = (target.Host ?? $"https://s3.{target.Region}.amazonaws.com").TrimEnd('/');
        return new Uri($"{endpoint}/{S3Signer.Encode(target.Bucket)}/{S3Signer.Encode(key, keepSlash: true)}");
    }
}
