using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Features.MeetingSessions;

/// <summary>
/// Chat files kept before their records moved into the SQL store: a JSON sidecar beside each file's bytes in the data
/// directory's <c>chat-files/</c>, as <see cref="ChatFiles"/> wrote them until then. At start, before anything listens,
/// each is imported into <c>chat_files</c> (once: a file kept already is left as it is) and then removed, so a start
/// that stopped half way imports the rest at the next one. The bytes stay where they are. A sidecar that cannot be read
/// is renamed <c>*.json.unreadable</c> and logged (as before, nothing can name its file).
/// </summary>
public sealed partial class ChatFileSidecars(IOptions<ServerOptions> server, SqlChatFileStore store, ILogger<ChatFileSidecars> logger) : IStartupTask
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        string directory = ChatFiles.DirectoryIn(server.Value.DataDir);
        if (!Directory.Exists(directory))
        {
            return;
        }

        int imported = 0;
        foreach (string sidecar in Directory.GetFiles(directory, "*.json")) // listed first: the loop removes and renames
        {
            ChatFile file;
            try
            {
                file = await ReadAsync(sidecar, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is JsonException or IOException)
            {
                Log.Unreadable(logger, sidecar, ex.Message);
                File.Move(sidecar, sidecar + ".unreadable", overwrite: true);
                continue;
            }

            await store.ImportAsync(file, cancellationToken).ConfigureAwait(false);
            File.Delete(sidecar);
            imported++;
        }

        foreach (string cut in Directory.GetFiles(directory, "*.json.tmp"))
        {
            File.Delete(cut); // a sidecar a crash cut short: its file's reservation never answered
        }

        if (imported > 0)
        {
            Log.Imported(logger, imported, directory);
        }
    }

    /// <summary>The file a sidecar describes; its bytes, when they are beside it, are uploaded whatever size it says.</summary>
    private static async Task<ChatFile> ReadAsync(string path, CancellationToken cancellationToken)
    {
        Sidecar? read;
        await using (var stream = File.OpenRead(path))
        {
            read = await JsonSerializer.DeserializeAsync(stream, ChatFileSidecarJsonContext.Default.Sidecar, cancellationToken).ConfigureAwait(false);
        }

        if (read is not { Id: { } id, MeetingId: not null, ParticipantId: not null, Name: not null, ContentType: not null, Origin: not null }
            || id != Path.GetFileNameWithoutExtension(path))
        {
            throw new JsonException("it is not a chat file's sidecar named by its id");
        }

        // ChatFiles moved the bytes into place whole, then saved their size: a crash between the two left them complete.
        long size = read.Size < 0 && read.StorageKey is null && new FileInfo(Path.Combine(Path.GetDirectoryName(path)!, id)) is { Exists: true } bytes
            ? bytes.Length
            : read.Size;
        return new ChatFile(id, read.MeetingId, read.ParticipantId, read.Name, read.ContentType, size, read.Origin, read.CreatedAt, read.StorageKey, read.AppId);
    }

    /// <summary>A sidecar as ChatFiles wrote it (<c>AppId</c> since quotas, <c>StorageKey</c> since S3).</summary>
    internal sealed record Sidecar(string? Id, string? MeetingId, string? ParticipantId, string? Name, string? ContentType, long Size, string? Origin,
        DateTimeOffset CreatedAt, string? StorageKey, string? AppId);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Imported {Count} chat files' sidecars from {Directory} into the database")]
        public static partial void Imported(ILogger logger, int count, string directory);

        [LoggerMessage(2, LogLevel.Warning, "Chat file sidecar {Path} cannot be read, so its file is not kept (renamed *.unreadable): {Reason}")]
        public static partial void Unreadable(ILogger logger, string path, string reason);
    }
}

[JsonSerializable(typeof(ChatFileSidecars.Sidecar))]
internal sealed partial class ChatFileSidecarJsonContext : JsonSerializerContext;
