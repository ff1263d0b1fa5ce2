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

    private ChatFileQuota Quota => new(options.Value);

    /// <summary>
    /// Reserves a file for <paramref name="participant"/>, in the meeting's live session <paramref name="sessionId"/>: its
    /// name checked, its type taken from the extension. <paramref name="origin"/> is the scheme and host its links are
    /// on: the server's public URL, or the host a front end serves files on (RealtimeKit's <c>api.</c> host), never one a
    /// client named. Its upload link works for <paramref name="lifetime"/> (1 to 60 minutes; 10 by default).
    /// </summary>
    public async Task<ChatUpload> ReserveAsync(Participant participant, string sessionId, string? fileName, string origin, TimeSpan? lifetime)
    {
        var (name, type) = ChatFileNames.Check(fileName);
        space.Require(ChatFileQuota.MinimumCost, Uploading);

        string id = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        var now = time.GetUtcNow();
        long putExpires = (now + (lifetime is { } asked ? TimeSpan.FromSeconds(Math.Clamp(asked.TotalSeconds, 60, 3600)) : TimeSpan.FromMinutes(10))).ToUnixTimeSeconds();
        var file = new ChatFile(id, participant.MeetingId, participant.Id, name, type, -1, origin.TrimEnd('/'), now, storage.KeyOf(id), participant.AppId, sessionId,
            DateTimeOffset.FromUnixTimeSeconds(putExpires));
        await store.AddAsync(file, Quota, CancellationToken.None).ConfigureAwait(false);

        string put = $"{UploadsPath}/{file.Id}";
        return new ChatUpload(file, $"{file.Origin}{put}?{signer.SignUntil(put, putExpires)}", Link(file.Id, file.Name, file.Origin, LinkExpiry()));
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
        if (!_storing.TryAdd(file.Id, 0))
        {
            throw new DomainException(DomainError.Conflict, "this file is being uploaded already");
        }

        string temporary = Path.Combine(Directory, $"{file.Id}.{Guid.NewGuid():N}.part");
        long size = 0;
        long charged = 0; // what this upload has charged in the file's record
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            charged = await ChargeAsync(file, length ?? 0, charged, cancellationToken).ConfigureAwait(false);
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

                    charged = await ChargeAsync(file, size, charged, cancellationToken).ConfigureAwait(false);
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
            await store.CompleteAsync(file.Id, new FileInfo(BytesOf(file.Id)).Length, CancellationToken.None).ConfigureAwait(false);
            throw new DomainException(DomainError.Conflict, "this file has been uploaded already");
        }
        catch
        {
            await ReleaseAsync(file).ConfigureAwait(false);
            throw;
        }
        finally
        {
            File.Delete(temporary);
            _storing.TryRemove(file.Id, out _);
        }

        // The bytes are in place: they count, even if this fails (FindAsync takes bytes in the data directory as uploaded).
        if (!await store.CompleteAsync(file.Id, size, CancellationToken.None).ConfigureAwait(false))
        {
            // Another node's upload of the file completed first (the bucket's object is the last one put), or the file
            // was deleted meanwhile: bytes here are nobody's.
            if (file.StorageKey is null)
            {
                File.Delete(BytesOf(file.Id));
            }

            throw new DomainException(DomainError.Conflict, "this file has been uploaded already");
        }

        return file with { Size = size };
    }

    /// <summary>
    /// Charges the file's record for <paramref name="bytes"/> when they count more than what this upload has
    /// <paramref name="charged"/> already (the reservation counts <see cref="ChatFileQuota.MinimumCost"/>); returns what it has charged now.
    /// </summary>
    private async Task<long> ChargeAsync(ChatFile file, long bytes, long charged, CancellationToken cancellationToken)
    {
        if (ChatFileQuota.CostOf(bytes) <= ChatFileQuota.CostOf(charged))
        {
            return charged;
        }

        return await store.ChargeAsync(file, bytes, Quota, cancellationToken).ConfigureAwait(false)
            ? bytes
            : throw new DomainException(DomainError.Conflict, "this file has been uploaded already");
    }

    /// <summary>
    /// Gives back what a failed upload had charged (the file counts as a reservation again). When the database fails
    /// too, its charge stays until an upload of the file succeeds or chat's retention deletes it.
    /// </summary>
    private async Task ReleaseAsync(ChatFile file)
    {
        try
        {
            await store.ChargeAsync(file, 0, Quota, CancellationToken.None).ConfigureAwait(false);
        }
        catch (System.Data.Common.DbException ex)
        {
            Log.NotReleased(logger, file.Id, ex.Message);
        }
    }
}
