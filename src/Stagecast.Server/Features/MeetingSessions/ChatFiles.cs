using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Security;

namespace Stagecast.Server.Features.MeetingSessions;

/// <summary>
/// A file a participant uploaded for chat; <see cref="Size"/> is -1 until its bytes arrived. <see cref="StorageKey"/> is
/// its key in the chat files' S3 bucket, null when its bytes are in the data directory (decided when it is reserved).
/// <see cref="AppId"/> is the participant's app, for its quota (null in sidecars written before quotas).
/// </summary>
public sealed record ChatFile(string Id, string MeetingId, string ParticipantId, string Name, string ContentType, long Size, string Origin, DateTimeOffset CreatedAt,
    string? StorageKey = null, string? AppId = null)
{
    [JsonIgnore]
    public bool IsImage => ChatFiles.ImageTypes.Contains(ContentType);

    [JsonIgnore]
    public bool Uploaded => Size >= 0;
}

/// <summary>Where a reserved file is put (signed, for a while) and where it will download from (signed, for a day).</summary>
public sealed record ChatUpload(ChatFile File, string PutUrl, string GetUrl);

/// <summary>
/// Files and images in chat, whatever the front end: a participant reserves a file (a CSPRNG id, its name and type),
/// PUTs its bytes to a signed, expiring upload URL, then sends a chat message naming it. Downloads are signed,
/// expiring URLs too (an &lt;img&gt; carries no token). A file message stores the file, not a link; every front end
/// and the chat export show it one way (<see cref="Shown"/>), signing a link as they do, so history keeps working.
/// The JSON sidecars are in the data directory (<c>chat-files/</c>); the bytes beside them, or in the operator's S3
/// bucket when one is configured (<see cref="ChatFileStorage"/>). Who may upload is the room's to say; what files take
/// is held to quotas (<see cref="ChatFileQuota"/>) and to the data directory's free-space floor (<see cref="DataDirectorySpace"/>).
/// </summary>
public sealed partial class ChatFiles(IOptions<ServerOptions> server, IOptions<ChatOptions> options, ChatFileStorage storage, DataDirectorySpace space, DownloadSigner signer,
    TimeProvider time, ILogger<ChatFiles> logger)
{
    public const string FilesPath = "/chat-files";
    public const string UploadsPath = "/chat-uploads";

    /// <summary>
    /// How long a download link works at least after it was handed out; its expiry is rounded up to the hour, so a
    /// message's link is the same all that hour (signed once, and cached by the browsers that show it).
    /// </summary>
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromHours(24);

    public static readonly FrozenSet<string> ImageTypes = FrozenSet.Create(StringComparer.Ordinal, "image/png", "image/jpeg", "image/gif", "image/webp");

    private readonly ConcurrentDictionary<string, ChatFile> _files = new(StringComparer.Ordinal);

    /// <summary>Files whose bytes are being taken now: a second PUT of the same file while the first runs is refused.</summary>
    private readonly ConcurrentDictionary<string, byte> _storing = new(StringComparer.Ordinal);

    /// <summary>A file message as last shown, by the message (the one instance the room pushes to every peer and keeps in its history).</summary>
    private readonly ConditionalWeakTable<ChatMessage, ShownFile> _shown = new();

    public string Directory => Path.Combine(server.Value.DataDir, "chat-files");

    public long MaxBytes => options.Value.MaxFileBytes;

    /// <summary>
    /// The file for a signed download link (<paramref name="path"/> percent-decoded, as Kestrel gives it), or why not;
    /// with the path of its bytes when they are in the data directory (those in the bucket: <see cref="ChatFileStorage.GetAsync"/>).
    /// </summary>
    public async Task<(ChatFile File, string Bytes)> OpenAsync(string path, string? expires, string? signature, string id)
    {
        if (!signer.IsValid(path, expires, signature))
        {
            throw new DomainException(DomainError.Forbidden, "this download link is invalid or has expired");
        }

        var file = await FindAsync(id).ConfigureAwait(false);
        return file is { Uploaded: true } ? (file, BytesOf(id)) : throw new DomainException(DomainError.NotFound, $"no chat file {id}");
    }

    /// <summary>
    /// A chat message's payload as every front end and the export show it: a text as typed; an image, its download
    /// link; a file, <c>{"link", "name", "size"}</c> (RealtimeKit's). Links are signed for <see cref="LinkLifetime"/>;
    /// a message's payload is read once and its link signed once an hour, however many peers it is shown to.
    /// </summary>
    public string Shown(ChatMessage message)
    {
        if (message.PayloadType is not ("image" or "file"))
        {
            return message.Payload;
        }

        long expires = LinkExpiry();
        if (_shown.TryGetValue(message, out var shown) && shown.Expires == expires)
        {
            return shown.Payload;
        }

        var file = shown is null ? ChatFileJson.Of(message) : shown.File;
        string? link = file is null ? null : Link(file.Id, file.Name, file.Origin, expires);
        string payload = file is null ? "" // not a file's: never shown as stored
            : message.PayloadType == "image" ? link!
            : new JsonObject { ["link"] = link, ["name"] = file.Name, ["size"] = file.Size }.ToJsonString();
        _shown.AddOrUpdate(message, new ShownFile(file, expires, payload));
        return payload;
    }

    /// <summary>
    /// A download link to the file until <paramref name="expires"/>. The signature covers the path as the server reads
    /// it back (<c>Request.Path</c>, percent-decoded), so it is signed unescaped and sent escaped.
    /// </summary>
    private string Link(string id, string name, string origin, long expires) =>
        $"{origin}{FilesPath}/{id}/{Uri.EscapeDataString(name)}?{signer.SignUntil($"{FilesPath}/{id}/{name}", expires)}";

    /// <summary>When links handed out now expire (Unix seconds): <see cref="LinkLifetime"/> from now, rounded up to the hour.</summary>
    private long LinkExpiry()
    {
        long earliest = (time.GetUtcNow() + LinkLifetime).ToUnixTimeSeconds();
        return earliest + (3600 - (earliest % 3600));
    }

    /// <summary>
    /// The file a chat message names by its link (a download link as handed out, signed or not), or null; whether the
    /// sender may send it is the room's to say (<see cref="Rooms.MeetingRoom.ChatFileAsync"/>).
    /// </summary>
    public async Task<ChatFile?> OfLinkAsync(string? link)
    {
        var match = Uri.TryCreate(link, UriKind.Absolute, out var uri) ? LinkPattern().Match(uri.AbsolutePath) : Match.Empty;
        return match.Success ? await FindAsync(match.Groups["id"].Value).ConfigureAwait(false) : null;
    }

    public async Task<ChatFile?> FindAsync(string id)
    {
        if (_files.TryGetValue(id, out var known))
        {
            return known;
        }

        return IdPattern().IsMatch(id) && await ReadAsync(id).ConfigureAwait(false) is { } file ? _files.GetOrAdd(id, file) : null;
    }

    /// <summary>The file's sidecar as the disk has it, or null.</summary>
    private async Task<ChatFile?> ReadAsync(string id)
    {
        if (!File.Exists(SidecarOf(id)))
        {
            return null;
        }

        ChatFile? file;
        await using (var stream = File.OpenRead(SidecarOf(id)))
        {
            file = await JsonSerializer.DeserializeAsync(stream, ChatFileJsonContext.Default.ChatFile).ConfigureAwait(false);
        }

        if (file is { Uploaded: false, StorageKey: null } && new FileInfo(BytesOf(id)) is { Exists: true } bytes)
        {
            // The bytes are moved into place whole, then the size is saved: a crash between the two left them complete.
            file = file with { Size = bytes.Length };
        }

        return file;
    }

    private async Task SaveAsync(ChatFile file)
    {
        System.IO.Directory.CreateDirectory(Directory);
        string temporary = SidecarOf(file.Id) + ".tmp";
        await File.WriteAllBytesAsync(temporary, JsonSerializer.SerializeToUtf8Bytes(file, ChatFileJsonContext.Default.ChatFile)).ConfigureAwait(false);
        File.Move(temporary, SidecarOf(file.Id), overwrite: true);
        _files[file.Id] = file;
    }

    private string BytesOf(string id) => Path.Combine(Directory, id);

    private string SidecarOf(string id) => Path.Combine(Directory, id + ".json");

    [GeneratedRegex("^[A-Za-z0-9_-]{22}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("^/chat-files/(?<id>[A-Za-z0-9_-]{22})/[^/]+$")]
    private static partial Regex LinkPattern();

    private sealed record ShownFile(ChatFilePayload? File, long Expires, string Payload);
}

[JsonSerializable(typeof(ChatFile))]
[JsonSerializable(typeof(ChatFilePayload))]
internal sealed partial class ChatFileJsonContext : JsonSerializerContext;
