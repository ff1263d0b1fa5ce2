using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Options;
using Stagecast.Server.Features.Outputs;
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
        if (Host is not null && (!Uri.TryCreate(Host, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
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

/// <summary>Uploads finished recordings to S3-compatible storage, verifies them, and signs download links to them.</summary>
public sealed class RecordingStorage(DestinationPolicy policy, IOptions<OutputDestinationOptions> destinations, StreamKeyProtector keys)
{
    public byte[] Seal(StorageTarget target) => keys.Protect(JsonSerializer.Serialize(target));

    public StorageTarget Unseal(byte[] sealedTarget) => JsonSerializer.Deserialize<StorageTarget>(keys.Unprotect(sealedTarget))!;

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
        using var client = Client(target);
        // Plain bodies (no aws-chunked trailers): what every S3-compatible server understands.
        await client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = target.Bucket, Key = key, FilePath = file, ContentType = "video/mp4", UseChunkEncoding = false,
        }, cancellationToken).ConfigureAwait(false);
        var stored = await client.GetObjectMetadataAsync(target.Bucket, key, cancellationToken).ConfigureAwait(false);
        long size = new FileInfo(file).Length;
        if (stored.ContentLength != size)
        {
            throw new InvalidOperationException($"the stored object has {stored.ContentLength} bytes, not {size}");
        }
    }

    /// <summary>A signed GET link to the stored object.</summary>
    public string SignedUrl(StorageTarget target, string key, DateTimeOffset expires)
    {
        using var client = Client(target);
        return client.GetPreSignedURL(new GetPreSignedUrlRequest
        {
            BucketName = target.Bucket,
            Key = key,
            Expires = expires.UtcDateTime,
            Verb = HttpVerb.GET,
            Protocol = target.Host is { } host && host.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? Protocol.HTTP : Protocol.HTTPS,
        });
    }

    private static AmazonS3Client Client(StorageTarget target)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = true,
            AuthenticationRegion = target.Region,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (target.Host is { } host)
        {
            config.ServiceURL = host;
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(target.Region);
        }

        return new AmazonS3Client(new BasicAWSCredentials(target.AccessKey, target.Secret), config);
    }
}
