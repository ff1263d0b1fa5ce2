using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Runtime.CompilerServices;
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
/// <see cref="AppId"/> is the participant's app, for its quota; <see cref="SessionId"/> the session it was reserved in and
/// <see cref="UploadExpiresAt"/> when its upload link stops working (all three null for a file imported from a sidecar
/// that did not keep them).
/// </summary>
public sealed record ChatFile(string Id, string MeetingId, string ParticipantId, string Name, string ContentType, long Size, string Origin, DateTimeOffset CreatedAt,
    string? StorageKey = null, string? AppId = null, string? SessionId = null, DateTimeOffset? UploadExpiresAt = null)
{
    public bool IsImage => ChatFiles.ImageTypes.Contains(ContentType);

    public bool Uploaded => Size >= 0;
}

/// <summary>Where a reserved file is put (signed, for a while) and where it will download from (signed, for a day).</summary>
public sealed record ChatUpload(ChatFile File, string PutUrl, string GetUrl);

/// <summary>
/// Files and images in chat, whatever the front end: a participant reserves a file (a CSPRNG id, its name and type),
/// PUTs its bytes to a signed, expiring upload URL, then sends a chat message naming it. Downloads are signed,
/// expiring URLs too (an &lt;img&gt; carries no token). A file message stores the file, not a link; every front end
/// and the chat export show it one way (<see cref="Shown"/>), signing a link as they do, so history keeps working.
/// Their records are in the SQL store (<see cref="SqlChatFileStore"/>); the bytes in the data directory
/// (<c>chat-files/</c>), or in the operator's S3 bucket when one is configured (<see cref="ChatFileStorage"/>). Who may
/// upload is the room's to say; what files take is held to quotas (<see cref="ChatFileQuota"/>) and to the data
/// directory's free-space floor (<see cref="DataDirectorySpace"/>).
/// </summary>
public sealed partial class ChatFiles(IOptions<ServerOptions> server, IOptions<ChatOptions> options, SqlChatFileStore store, ChatFileStorage storage, DataDirectorySpace space,
    DownloadSigner signer, TimeProvider time, ILogger<ChatFiles> logger)
{
    public const string FilesPath = "/chat-files";
    public const string UploadsPath = "/chat-uploads";

    /// <summary>
    /// How long a download link works at least after it was handed out; its expiry is rounded up to the hour, so a
    /// message's link is the same all that hour (signed once, and cached by the browsers that show it).
    /// </summary>
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromHours(24);

    public static readonly FrozenSet<string> ImageTypes = FrozenSet.Create(StringComparer.Ordinal, "image/png", "image/jpeg", "image/gif", "image/webp");

    /// <summary>Files whose bytes are being taken now: a second PUT of the same file while the first runs is refused.</summary>
    private readonly ConcurrentDictionary<string, byte> _storing = new(StringComparer.Ordinal);

    /// <summary>A file message as last shown, by the message (the one instance the room pushes to every peer and keeps in its history).</summary>
    private readonly ConditionalWeakTable<ChatMessage, ShownFile> _shown = new();

    public string Directory => DirectoryIn(server.Value.DataDir);

    public long MaxBytes => options.Value.MaxFileBytes;

    /// <summary>
    /// The file for a signed download link (<paramref name="path"/> percent-decoded, as Kestrel gives it), or why not;
    /// with the path of its bytes when they are in the data directory (those in the bucket: <see cref="ChatFileStorage.GetAsync"/>).
    /// Bytes in the data directory are served by the node that took them: another node of a cluster answers 404.
    /// </summary>
    public async Task<(ChatFile File, string Bytes)> OpenAsync(string path, string? expires, string? signature, string id)
    {
        if (!signer.IsValid(path, expires, signature))
        {
            throw new DomainException(DomainError.Forbidden, "this download link is invalid or has expired");
        }

        var file = await FindAsync(id).ConfigureAwait(false);
        return file is { Uploaded: true } && (file.StorageKey is not null || File.Exists(BytesOf(id)))
            ? (file, BytesOf(id))
            : throw new DomainException(DomainError.NotFound, $"no chat file {id}");
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

    /// <summary>
    /// The file's record, or null. Its bytes are moved into the data directory whole, then the record is marked uploaded:
    /// a file whose bytes are there is uploaded, whatever a crash between the two left in its record.
    /// </summary>
    public async Task<ChatFile?> FindAsync(string id)
    {
        if (!IdPattern().IsMatch(id) || await store.FindAsync(id, CancellationToken.None).ConfigureAwait(false) is not { } file)
        {
            return null;
        }

        return file is { Uploaded: false, StorageKey: null } && new FileInfo(BytesOf(id)) is { Exists: true } bytes ? file with { Size = bytes.Length } : file;
    }

    /// <summary>Where the bytes of files kept in the data directory <paramref name="dataDir"/> are, each named by its id.</summary>
    public static string DirectoryIn(string dataDir) => Path.Combine(dataDir, "chat-files");

    private string BytesOf(string id) => Path.Combine(Directory, id);

    [GeneratedRegex("^[A-Za-z0-9_-]{22}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("^/chat-files/(?<id>[A-Za-z0-9_-]{22})/[^/]+$")]
    private static partial Regex LinkPattern();

    private sealed record ShownFile(ChatFilePayload? File, long Expires, string Payload);
}

[JsonSerializable(typeof(ChatFilePayload))]
internal sealed partial class ChatFileJsonContext : JsonSerializerContext;
