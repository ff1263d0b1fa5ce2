using System.Buffers.Text;
using System.Security.Cryptography;
using Stagecast.Server.Features.Participants;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Features.MeetingSessions;

/// <summary>
/// Uploads: a reservation, then the bytes through its signed link. Both are held to the quotas and to the data
/// directory's floor; whether the participant may send files at all (a peer of a live session whose preset allows
/// them) is asked of the room by the caller, before each.
/// </summary>
public sealed partial class ChatFiles
{
    /// <summary>How often, in bytes taken, an upload looks again at the disk's free space.</summary>
    private const long SpaceCheckInterval = 1024 * 1024;

    private const string Uploading = "sending files in chat";

    private readonly Lazy<ChatFileQuota> _quota = new(() => new ChatFileQuota(options.Value));

    private readonly Lock _counting = new();
    private Task? _counted;

    /// <summary>
    /// Reserves a file for <paramref name="participant"/>: its name checked, its type taken from the extension.
    /// <paramref name="origin"/> is the scheme and host its links are on: the server's public URL, or the host a front
    /// end serves files on (RealtimeKit's <c>api.</c> host), never one a client named.
    /// </summary>
    public async Task<ChatUpload> ReserveAsync(Participant participant, string? fileName, string origin, TimeSpan? lifetime)
    {
        var (name, type) = ChatFileNames.Check(fileName);
        space.Require(ChatFileQuota.MinimumCost, Uploading);
        await CountAsync().ConfigureAwait(false);

        string id = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        var file = new ChatFile(id, participant.MeetingId, participant.Id, name, type, -1, origin.TrimEnd('/'), time.GetUtcNow(), storage.KeyOf(id), participant.AppId);
        _quota.Value.Charge(file, ChatFileQuota.MinimumCost);
        try
        {
            await SaveAsync(file).ConfigureAwait(false);
        }
        catch
        {
            _quota.Value.Release(file, ChatFileQuota.MinimumCost);
            throw;
        }

        string put = $"{UploadsPath}/{file.Id}";
        var (putQuery, _) = signer.Sign(put, lifetime is { } asked ? TimeSpan.FromSeconds(Math.Clamp(asked.TotalSeconds, 60, 3600)) : TimeSpan.FromMinutes(10));
        return new ChatUpload(file, $"{file.Origin}{put}?{putQuery}", Link(file.Id, file.Name, file.Origin, LinkExpiry()));
    }

    /// <summary>The reserved file a signed upload link names (<paramref name="path"/> as Kestrel gives it), or why not.</summary>
    public async Task<ChatFile> ReservedAsync(string path, string? expires, string? signature, string id)
    {
        if (!signer.IsValid(path, expires, signature))
        {
            throw new DomainException(DomainError.Forbidden, "this upload link is invalid or has expired");
        }

        var file = await FindAsync(id).ConfigureAwait(false) ?? throw new DomainException(DomainError.NotFound, $"no chat file {id}");
        return file.Uploaded ? throw new DomainException(DomainError.Conflict, "this file has been uploaded already") : file;
    }

    /// <summary>
    /// Takes the bytes of a reserved file, once: at most <see cref="MaxBytes"/>, of the reserved type (or sent as
    /// <c>application/octet-stream</c>), charged to the quotas as they arrive, and refused when the disk nears its floor.
    /// </summary>
    public async Task<ChatFile> StoreAsync(ChatFile file, string? contentType, long? length, Stream body, CancellationToken cancellationToken)
    {
        string? sent = contentType?.Split(';')[0].Trim();
        if (sent is { Length: > 0 } && sent != file.ContentType && sent != "application/octet-stream")
        {
            throw new DomainException(DomainError.BadRequest, $"the file was reserved as {file.ContentType}, not {sent}");
        }

        if (length > MaxBytes)
        {
            throw new DomainException(DomainError.TooLarge, $"a chat file may have at most {MaxBytes} bytes");
        }

        space.Require(length ?? 0, Uploading);
        await CountAsync().ConfigureAwait(false);
        if (!_storing.TryAdd(file.Id, 0))
        {
            throw new DomainException(DomainError.Conflict, "this file is being uploaded already");
        }

        string temporary = Path.Combine(Directory, $"{file.Id}.{Guid.NewGuid():N}.part");
        long size = 0;
        long charged = 0; // beyond the reservation's MinimumCost
        try
        {
            charged = Charge(file, length ?? 0, charged);
            await using (var output = File.Create(temporary))
            {
                byte[] buffer = new byte[81920];
                int read;
                while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    if (size / SpaceCheckInterval != (size + read) / SpaceCheckInterval)
                    {
                        space.Require(SpaceCheckInterval, Uploading);
                    }

                    size += read;
                    if (size > MaxBytes)
                    {
                        throw new DomainException(DomainError.TooLarge, $"a chat file may have at most {MaxBytes} bytes");
                    }

                    charged = Charge(file, size, charged);
                    await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
            }

            if (file.StorageKey is null)
            {
                File.Move(temporary, BytesOf(file.Id), overwrite: false); // bytes a crash left in place (FindAsync counts them) win
            }
            else
            {
                await storage.PutAsync(file, temporary, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (IOException) when (File.Exists(BytesOf(file.Id)))
        {
            _quota.Value.Release(file, charged);
            throw new DomainException(DomainError.Conflict, "this file has been uploaded already");
        }
        catch
        {
            _quota.Value.Release(file, charged);
            throw;
        }
        finally
        {
            File.Delete(temporary);
            _storing.TryRemove(file.Id, out _);
        }

        file = file with { Size = size };
        _quota.Value.Release(file, charged - (ChatFileQuota.CostOf(file) - ChatFileQuota.MinimumCost)); // a length announced but not sent
        await SaveAsync(file).ConfigureAwait(false); // the bytes are in place: they count, even if this fails (the next process finds them)
        return file;
    }

    /// <summary>Charges what <paramref name="bytes"/> of the file count beyond its reservation, past what is <paramref name="charged"/> already.</summary>
    private long Charge(ChatFile file, long bytes, long charged)
    {
        long needed = Math.Max(bytes, ChatFileQuota.MinimumCost) - ChatFileQuota.MinimumCost;
        if (needed > charged)
        {
            _quota.Value.Charge(file, needed - charged);
            return needed;
        }

        return charged;
    }

    /// <summary>Counts the files on the disk once per process, before the first upload or deletion changes the figures.</summary>
    private Task CountAsync()
    {
        lock (_counting)
        {
            return _counted is { IsFaulted: false } counting ? counting : _counted = CountFilesAsync();
        }
    }

    private async Task CountFilesAsync()
    {
        List<ChatFile> found = [];
        if (System.IO.Directory.Exists(Directory))
        {
            foreach (string sidecar in System.IO.Directory.EnumerateFiles(Directory, "*.json"))
            {
                string id = Path.GetFileNameWithoutExtension(sidecar);
                try
                {
                    if ((_files.TryGetValue(id, out var known) ? known : await ReadAsync(id).ConfigureAwait(false)) is { } file)
                    {
                        found.Add(file);
                    }
                }
                catch (Exception ex) when (ex is System.Text.Json.JsonException or IOException)
                {
                    Log.Unreadable(logger, id, ex.Message); // no upload can name it (FindAsync fails the same way): it takes no quota
                }
            }
        }

        foreach (var file in found)
        {
            _quota.Value.Count(file);
        }
    }
}
