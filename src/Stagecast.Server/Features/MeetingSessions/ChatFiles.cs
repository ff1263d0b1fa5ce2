using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Stagecast.Server.Features.Participants;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Security;

namespace Stagecast.Server.Features.MeetingSessions;

/// <summary>
/// A file a participant uploaded for chat; <see cref="Size"/> is -1 until its bytes arrived. <see cref="StorageKey"/> is
/// its key in the chat files' S3 bucket, null when its bytes are in the data directory (decided when it is reserved).
/// </summary>
public sealed record ChatFile(string Id, string MeetingId, string ParticipantId, string Name, string ContentType, long Size, string Origin, DateTimeOffset CreatedAt,
    string? StorageKey = null)
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
/// bucket when one is configured (<see cref="ChatFileStorage"/>).
/// </summary>
public sealed partial class ChatFiles(IOptions<ServerOptions> server, IOptions<ChatOptions> options, ChatFileStorage storage, DownloadSigner signer, TimeProvider time,
    ILogger<ChatFiles> logger)
{
    public const string FilesPath = "/chat-files";
    public const string UploadsPath = "/chat-uploads";

    /// <summary>
    /// How long a download link works at least after it was handed out; its expiry is rounded up to the hour, so a
    /// message's link is the same all that hour (signed once, and cached by the browsers that show it).
    /// </summary>
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromHours(24);

    public static readonly FrozenSet<string> ImageTypes = FrozenSet.Create(StringComparer.Ordinal, "image/png", "image/jpeg", "image/gif", "image/webp");

    /// <summary>The file types chat takes, by extension: pictures, documents, archives, audio and video; never a page or a script.</summary>
    private static readonly FrozenDictionary<string, string> Types = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".png"] = "image/png", [".jpg"] = "image/jpeg", [".jpeg"] = "image/jpeg", [".gif"] = "image/gif", [".webp"] = "image/webp",
        [".pdf"] = "application/pdf", [".txt"] = "text/plain", [".csv"] = "text/csv", [".md"] = "text/markdown", [".json"] = "application/json",
        [".zip"] = "application/zip", [".doc"] = "application/msword", [".docx"] = "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        [".xls"] = "application/vnd.ms-excel", [".xlsx"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        [".ppt"] = "application/vnd.ms-powerpoint", [".pptx"] = "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        [".odt"] = "application/vnd.oasis.opendocument.text", [".ods"] = "application/vnd.oasis.opendocument.spreadsheet",
        [".mp3"] = "audio/mpeg", [".wav"] = "audio/wav", [".ogg"] = "audio/ogg", [".mp4"] = "video/mp4", [".webm"] = "video/webm", [".mov"] = "video/quicktime",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private readonly ConcurrentDictionary<string, ChatFile> _files = new(StringComparer.Ordinal);

    /// <summary>Files whose bytes are being taken now: a second PUT of the same file while the first runs is refused.</summary>
    private readonly ConcurrentDictionary<string, byte> _storing = new(StringComparer.Ordinal);

    /// <summary>A file message as last shown, by the message (the one instance the room pushes to every peer and keeps in its history).</summary>
    private readonly ConditionalWeakTable<ChatMessage, ShownFile> _shown = new();

    public string Directory => Path.Combine(server.Value.DataDir, "chat-files");

    public long MaxBytes => options.Value.MaxFileBytes;

    /// <summary>
    /// Reserves a file for <paramref name="participant"/>: its name checked, its type taken from the extension.
    /// <paramref name="origin"/> is the scheme and host the client reached the server on.
    /// </summary>
    public async Task<ChatUpload> ReserveAsync(Participant participant, string? fileName, string origin, TimeSpan? lifetime)
    {
        string name = Path.GetFileName(fileName ?? "");
        if (name.Length is 0 or > 200 || name.Any(char.IsControl))
        {
            throw new DomainException(DomainError.BadRequest, "\"filename\" must be a file name of 1 to 200 characters");
        }

        if (!Types.TryGetValue(Path.GetExtension(name), out var type))
        {
            throw new DomainException(DomainError.BadRequest, $"chat does not take files of type \"{Path.GetExtension(name)}\"; it takes {string.Join(", ", Types.Keys)}");
        }

        string id = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        var file = new ChatFile(id, participant.MeetingId, participant.Id, name, type, -1, origin.TrimEnd('/'), time.GetUtcNow(), storage.KeyOf(id));
        await SaveAsync(file).ConfigureAwait(false);
        string put = $"{UploadsPath}/{file.Id}";
        var (putQuery, _) = signer.Sign(put, lifetime is { } asked ? TimeSpan.FromSeconds(Math.Clamp(asked.TotalSeconds, 60, 3600)) : TimeSpan.FromMinutes(10));
        return new ChatUpload(file, $"{file.Origin}{put}?{putQuery}", Link(file.Id, file.Name, file.Origin, LinkExpiry()));
    }

    /// <summary>
    /// Takes the bytes of a reserved file, once, through a signed upload URL: at most <see cref="MaxBytes"/>, of the
    /// reserved type (or sent as <c>application/octet-stream</c>).
    /// </summary>
    public async Task<ChatFile> StoreAsync(string path, string? expires, string? signature, string id, string? contentType, long? length, Stream body, CancellationToken cancellationToken)
    {
        if (!signer.IsValid(path, expires, signature))
        {
            throw new DomainException(DomainError.Forbidden, "this upload link is invalid or has expired");
        }

        var file = await FindAsync(id).ConfigureAwait(false) ?? throw new DomainException(DomainError.NotFound, $"no chat file {id}");
        if (file.Uploaded)
        {
            throw new DomainException(DomainError.Conflict, "this file has been uploaded already");
        }

        string? sent = contentType?.Split(';')[0].Trim();
        if (sent is { Length: > 0 } && sent != file.ContentType && sent != "application/octet-stream")
        {
            throw new DomainException(DomainError.BadRequest, $"the file was reserved as {file.ContentType}, not {sent}");
        }

        if (length > MaxBytes)
        {
            throw new DomainException(DomainError.TooLarge, $"a chat file may have at most {MaxBytes} bytes");
        }

        if (!_storing.TryAdd(id, 0))
        {
            throw new DomainException(DomainError.Conflict, "this file is being uploaded already");
        }

        string temporary = Path.Combine(Directory, $"{id}.{Guid.NewGuid():N}.part");
        long size = 0;
        try
        {
            await using (var output = File.Create(temporary))
            {
                byte[] buffer = new byte[81920];
                int read;
                while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    size += read;
                    if (size > MaxBytes)
                    {
                        throw new DomainException(DomainError.TooLarge, $"a chat file may have at most {MaxBytes} bytes");
                    }

                    await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
            }

            if (file.StorageKey is null)
            {
                File.Move(temporary, BytesOf(id), overwrite: false); // bytes a crash left in place (FindAsync counts them) win
            }
            else
            {
                await storage.PutAsync(file, temporary, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (IOException) when (File.Exists(BytesOf(id)))
        {
            throw new DomainException(DomainError.Conflict, "this file has been uploaded already");
        }
        finally
        {
            File.Delete(temporary);
            _storing.TryRemove(id, out _);
        }

        file = file with { Size = size };
        await SaveAsync(file).ConfigureAwait(false);
        return file;
    }

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

        if (!IdPattern().IsMatch(id) || !File.Exists(SidecarOf(id)))
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

        return file is null ? null : _files.GetOrAdd(id, file);
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
