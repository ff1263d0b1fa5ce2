namespace Stagecast.Server.Hosting.Storage;

/// <summary>An S3 bucket and the keys to it: where a recording goes (sealed at rest: it holds the secret key), or chat files.</summary>
public sealed record StorageTarget(string? Host, string Region, string Bucket, string AccessKey, string Secret, string? Path)
{
    public string KeyOf(string fileName) => string.IsNullOrEmpty(Path) ? fileName : $"{Path}/{fileName}";
}
