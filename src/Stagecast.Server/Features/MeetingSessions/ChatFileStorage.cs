using Microsoft.Extensions.Options;
using Stagecast.Server.Hosting.Api;
using Stagecast.Server.Hosting.Security;
using Stagecast.Server.Hosting.Storage;

namespace Stagecast.Server.Features.MeetingSessions;

/// <summary>
/// The S3 bucket chat files go to when the operator configured one (<c>Stagecast:Chat:Storage</c>), through the
/// recordings' S3 client. The bucket is the operator's own, so private addresses are allowed; the server's own
/// listeners, redirects and proxies are not (<see cref="DestinationPolicy.HttpHandler"/>). A failure answers 502 to the
/// participant and logs the storage's reason for the operator.
/// </summary>
public sealed partial class ChatFileStorage(IOptions<ChatOptions> options, DestinationPolicy policy, TimeProvider time, ILogger<ChatFileStorage> logger) : IDisposable
{
    /// <summary>How long one request to the bucket may take (a chat file is at most a few MiB).</summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromMinutes(2);

    private readonly Lazy<S3Client> _s3 = new(() => new S3Client(policy.HttpHandler(allowPrivate: true, "", TimeSpan.FromSeconds(10)), time));

    /// <summary>Where a file reserved now is stored: its key in the bucket, or null for the data directory.</summary>
    public string? KeyOf(string id) => options.Value.Storage.Target?.KeyOf(id);

    /// <summary>Puts the file's bytes in the bucket and checks the stored size.</summary>
    public Task PutAsync(ChatFile file, string bytes, CancellationToken cancellationToken) => CallAsync(file, "store", async (s3, target, key, cancel) =>
    {
        long size = new FileInfo(bytes).Length;
        await using (var content = File.OpenRead(bytes))
        {
            await s3.PutAsync(target, key, content, file.ContentType, cancel).ConfigureAwait(false);
        }

        long? stored = await s3.SizeAsync(target, key, cancel).ConfigureAwait(false);
        if (stored != size)
        {
            throw new InvalidOperationException($"the stored object has {stored} bytes, not {size}");
        }

        return 0;
    }, cancellationToken);

    /// <summary>The file's bytes as the bucket answers them (the caller disposes the answer).</summary>
    public Task<HttpResponseMessage> GetAsync(ChatFile file, CancellationToken cancellationToken) =>
        CallAsync(file, "read", (s3, target, key, cancel) => s3.GetAsync(target, key, cancel), cancellationToken);

    public Task DeleteAsync(ChatFile file, CancellationToken cancellationToken) =>
        CallAsync(file, "delete", async (s3, target, key, cancel) =>
        {
            await s3.DeleteAsync(target, key, cancel).ConfigureAwait(false);
            return 0;
        }, cancellationToken);

    public void Dispose()
    {
        if (_s3.IsValueCreated)
        {
            _s3.Value.Dispose();
        }
    }

    private async Task<T> CallAsync<T>(ChatFile file, string what, Func<S3Client, StorageTarget, string, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        var target = options.Value.Storage.Target
            ?? throw new ApiException(StatusCodes.Status502BadGateway, "this file is in an S3 bucket the server is no longer configured with");
        using var timeout = new CancellationTokenSource(RequestTimeout, time);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            return await call(_s3.Value, target, file.StorageKey!, cancel.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            string reason = timeout.IsCancellationRequested ? $"it took longer than {RequestTimeout}"
                : ex is HttpRequestException { InnerException: DestinationRefusedException refused } ? refused.Message : ex.Message;
            Log.Failed(logger, what, file.Id, reason);
            throw new ApiException(StatusCodes.Status502BadGateway, $"the file storage could not {what} the file; try again later");
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "The chat files' S3 bucket could not {What} file {FileId}: {Reason}")]
        public static partial void Failed(ILogger logger, string what, string fileId, string reason);
    }
}
