using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Stagecast.Server.Features.Participants;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Security;

namespace Stagecast.Server.Features.MeetingSessions;

/// <summary>A file a participant uploaded for chat; <see cref="Size"/> is -1 until its bytes arrived.</summary>
public sealed record ChatFile(string Id, string MeetingId, string ParticipantId, string Name, string ContentType, long Size, string Origin, DateTimeOffset CreatedAt)
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
/// expiring URLs too (an &lt;img&gt; carries no token), handed only to whom the message is delivered and to the app
/// (the export); each delivery signs anew, so history keeps working. Stored in the data directory (<c>chat-files/</c>:
/// the bytes and a JSON sidecar each).
/// </summary>
public sealed partial class ChatFiles(IOptions<ServerOptions> server, IOptions<ChatOptions> options, DownloadSigner signer, TimeProvider time)
{
    public const string FilesPath = "/chat-files";
    public const string UploadsPath = "/chat-uploads";

    /// <summary>How long a download link works after it was handed out.</summary>
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

    public string Directory => Path.Combine(server.Value.DataDir, "chat-files");

    public long MaxBytes => options.Value.MaxFileBytes;

    /// <summary>
    /// Reserves a file for <paramref name="participant"/> (whose preset lets it send chat): its name checked, its type
    /// taken from the extension. <paramref name="origin"/> is the scheme and host the client reached the server on.
    /// </summary>
    public async Task<ChatUpload> ReserveAsync(Participant participant, bool canSend, string? fileName, string origin, TimeSpan? lifetime)
    {
        if (!canSend)
        {
            throw new DomainException(DomainError.Forbidden, "your preset does not allow sending chat messages");
        }

        string name = Path.GetFileName(fileName ?? "");
        if (name.Length is 0 or > 200 || name.Any(char.IsControl))
        {
            throw new DomainException(DomainError.BadRequest, "\"filename\" must be a file name of 1 to 200 characters");
        }

        if (!Types.TryGetValue(Path.GetExtension(name), out var type))
        {
            throw new DomainException(DomainError.BadRequest, $"chat does not take files of type \"{Path.GetExtension(name)}\"; it takes {string.Join(", ", Types.Keys)}");
        }

        var file = new ChatFile(Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)), participant.MeetingId, participant.Id, name, type, -1, origin.TrimEnd('/'), time.GetUtcNow());
        await SaveAsync(file).ConfigureAwait(false);
        string put = $"{UploadsPath}/{file.Id}";
        var (putQuery, _) = signer.Sign(put, lifetime is { } asked ? TimeSpan.FromSeconds(Math.Clamp(asked.TotalSeconds, 60, 3600)) : TimeSpan.FromMinutes(10));
        return new ChatUpload(file, $"{file.Origin}{put}?{putQuery}", Link(file));
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

            File.Move(temporary, BytesOf(id), overwrite: false); // a second PUT racing the first loses here
        }
        catch (IOException) when (File.Exists(BytesOf(id)))
        {
            throw new DomainException(DomainError.Conflict, "this file has been uploaded already");
        }
        finally
        {
            File.Delete(temporary);
        }

        file = file with { Size = size };
        await SaveAsync(file).ConfigureAwait(false);
        return file;
    }

    /// <summary>The file's bytes for a signed download link (<paramref name="path"/> percent-decoded, as Kestrel gives it), or why not.</summary>
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
    /// A download link to the file, signed for <see cref="LinkLifetime"/> from now. The signature covers the path as the
    /// server reads it back (<c>Request.Path</c>, percent-decoded), so it is signed unescaped and sent escaped.
    /// </summary>
    public string Link(ChatFile file)
    {
        string query = signer.Sign($"{FilesPath}/{file.Id}/{file.Name}", LinkLifetime).Query;
        return $"{file.Origin}{FilesPath}/{file.Id}/{Uri.EscapeDataString(file.Name)}?{query}";
    }

    /// <summary>
    /// The uploaded file a chat message names by its link (a download link as handed out, signed or not), if it is the
    /// sender's own, in the sender's meeting; otherwise why not.
    /// </summary>
    public async Task<ChatFile> OfLinkAsync(string? link, Participant sender)
    {
        var match = Uri.TryCreate(link, UriKind.Absolute, out var uri) ? LinkPattern().Match(uri.AbsolutePath) : Match.Empty;
        var file = match.Success ? await FindAsync(match.Groups["id"].Value).ConfigureAwait(false) : null;
        if (file is null || file.MeetingId != sender.MeetingId || file.ParticipantId != sender.Id)
        {
            throw new DomainException(DomainError.BadRequest, "a file message must carry the download link of a file you uploaded for this meeting (chat-upload)");
        }

        return file.Uploaded ? file : throw new DomainException(DomainError.Conflict, "the file has not been uploaded yet");
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

        if (file is { Uploaded: false } && new FileInfo(BytesOf(id)) is { Exists: true } bytes)
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
}

[JsonSerializable(typeof(ChatFile))]
internal sealed partial class ChatFileJsonContext : JsonSerializerContext;
