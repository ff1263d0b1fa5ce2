using System.ComponentModel.DataAnnotations;
using Stagecast.Server.Hosting.Storage;

namespace Stagecast.Server.Features.MeetingSessions;

/// <summary>
/// The S3 bucket chat files are stored in (<c>Stagecast:Chat:Storage</c>): S3, or any S3-compatible server at
/// <see cref="Host"/>, path-style, as a recording's <c>storage_config</c>. Without a <see cref="Bucket"/>, the data directory.
/// </summary>
public sealed class ChatStorageOptions
{
    /// <summary>The endpoint URL of an S3-compatible server; none: AWS's for <see cref="Region"/>.</summary>
    [StringLength(2048)]
    public string? Host { get; set; }

    [StringLength(64)]
    public string Region { get; set; } = "us-east-1";

    [StringLength(63)]
    public string? Bucket { get; set; }

    [StringLength(256)]
    public string? AccessKey { get; set; }

    [StringLength(256)]
    public string? Secret { get; set; }

    /// <summary>The key prefix of chat files in the bucket (a bucket may hold recordings too).</summary>
    [StringLength(512)]
    public string Path { get; set; } = "chat";

    public StorageTarget? Target => string.IsNullOrEmpty(Bucket) ? null : new(Host, Region, Bucket, AccessKey ?? "", Secret ?? "", Path.Trim('/'));
}
