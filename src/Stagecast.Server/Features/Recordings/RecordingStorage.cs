using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Stagecast.Server.Features.Outputs;
using Stagecast.Server.Hosting.Api;
using Stagecast.Server.Hosting.Database;
using Stagecast.Server.Hosting.Security;
using Stagecast.Server.Hosting.Storage;

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

/// <summary>
/// Uploads finished recordings to S3-compatible storage, verifies them, and signs download links to them, through the
/// shared <see cref="S3Client"/>: one PUT of the file, a HEAD for its stored size, presigned GET links. The bucket is a
/// user's, so every request goes through the destination policy.
/// </summary>
public sealed class RecordingStorage(DestinationPolicy policy, IOptions<OutputDestinationOptions> destinations, StreamKeyProtector keys, TimeProvider time)
    : IDisposable
{
    /// <summary>The dialer of every request on a user's behalf: the destination policy at connect time, no redirect, no proxy.</summary>
    private readonly S3Client _s3 = new(policy.HttpHandler(destinations.Value.AllowPrivate, "--restream-allow-private", TimeSpan.FromSeconds(10)), time);

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
        await using (var content = File.OpenRead(file))
        {
            await _s3.PutAsync(target, key, content, RecordingService.ContentTypeOf(file), cancellationToken).ConfigureAwait(false);
        }

        long? stored = await _s3.SizeAsync(target, key, cancellationToken).ConfigureAwait(false);
        long size = new FileInfo(file).Length;
        if (stored != size)
        {
            throw new InvalidOperationException($"the stored object has {stored} bytes, not {size}");
        }
    }

    /// <summary>A signed GET link to the stored object.</summary>
    public string SignedUrl(StorageTarget target, string key, DateTimeOffset expires) => _s3.SignedUrl(target, key, expires);

    public void Dispose() => _s3.Dispose();
}
