namespace Stagecast.Server.Hosting.Storage;

/// <summary>
/// The S3 API calls Stagecast makes, to S3 or any S3-compatible server: put an object (a plain body, its SHA-256
/// signed, as every S3-compatible server understands), read its stored size, read it back, delete it, and sign GET
/// links (SigV4, <see cref="S3Signer"/>). Path-style URLs, so any endpoint works without DNS per bucket. The handler
/// says where it may connect: recordings' storage, given by a user, goes through the destination policy.
/// </summary>
public sealed class S3Client(HttpMessageHandler handler, TimeProvider time) : IDisposable
{
    private const int MaxErrorBody = 16 * 1024;
    private const int MaxErrorDetail = 300;

    private readonly HttpClient _http = new(handler)
    {
        Timeout = Timeout.InfiniteTimeSpan, // a request is bounded by its caller's cancellation
    };

    /// <summary>
    /// Puts <paramref name="content"/> (seekable, from its start; disposed with the request) at <paramref name="key"/>;
    /// throws with the reason when it fails.
    /// </summary>
    public async Task PutAsync(StorageTarget target, string key, Stream content, string contentType, CancellationToken cancellationToken)
    {
        content.Position = 0;
        string payloadHash = await S3Signer.PayloadHashAsync(content, cancellationToken).ConfigureAwait(false);
        content.Position = 0;
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["content-type"] = contentType };
        using var put = Request(HttpMethod.Put, target, key, headers, payloadHash);
        put.Content = new StreamContent(content);
        put.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        put.Content.Headers.ContentLength = content.Length;
        using var answer = await _http.SendAsync(put, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(answer, "PUT", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The stored object's size (a HEAD); throws when it is not there.</summary>
    public async Task<long?> SizeAsync(StorageTarget target, string key, CancellationToken cancellationToken)
    {
        using var head = Request(HttpMethod.Head, target, key, new(StringComparer.Ordinal), S3Signer.PayloadHash([]));
        using var stored = await _http.SendAsync(head, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(stored, "HEAD", cancellationToken).ConfigureAwait(false);
        return stored.Content.Headers.ContentLength;
    }

    /// <summary>The stored object, its body not read yet (the caller disposes the answer); throws when it fails.</summary>
    public async Task<HttpResponseMessage> GetAsync(StorageTarget target, string key, CancellationToken cancellationToken)
    {
        using var get = Request(HttpMethod.Get, target, key, new(StringComparer.Ordinal), S3Signer.PayloadHash([]));
        var answer = await _http.SendAsync(get, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        try
        {
            await EnsureSuccessAsync(answer, "GET", cancellationToken).ConfigureAwait(false);
            return answer;
        }
        catch
        {
            answer.Dispose();
            throw;
        }
    }

    /// <summary>Deletes the object; one already gone is deleted too (S3 answers 204 either way, some servers 404).</summary>
    public async Task DeleteAsync(StorageTarget target, string key, CancellationToken cancellationToken)
    {
        using var delete = Request(HttpMethod.Delete, target, key, new(StringComparer.Ordinal), S3Signer.PayloadHash([]));
        using var answer = await _http.SendAsync(delete, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (answer.StatusCode != System.Net.HttpStatusCode.NotFound)
        {
            await EnsureSuccessAsync(answer, "DELETE", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A signed GET link to the stored object.</summary>
    public string SignedUrl(StorageTarget target, string key, DateTimeOffset expires) =>
        Signer(target).Presign(ObjectUrl(target, key), time.GetUtcNow(), expires).AbsoluteUri;

    public void Dispose() => _http.Dispose();

    private HttpRequestMessage Request(HttpMethod method, StorageTarget target, string key, SortedDictionary<string, string> headers, string payloadHash)
    {
        var url = ObjectUrl(target, key);
        string authorization = Signer(target).Authorization(method.Method, url, headers, payloadHash, time.GetUtcNow());
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
