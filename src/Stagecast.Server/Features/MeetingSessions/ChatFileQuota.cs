using Stagecast.Server.Hosting;

namespace Stagecast.Server.Features.MeetingSessions;

/// <summary>
/// What the chat files kept take, per participant, meeting and app, against <see cref="ChatOptions"/>'s quotas (the
/// files of this node's data directory, counted from their sidecars when a process first needs it). A file counts its
/// bytes, at least <see cref="MinimumCost"/> (a reservation whose bytes have not arrived counts that), so a quota bounds
/// how many files fill it as well as their bytes. Bytes are charged as they arrive, so uploads running side by side
/// never pass a quota together; what an upload that failed had charged is given back.
/// </summary>
internal sealed class ChatFileQuota(ChatOptions options)
{
    /// <summary>What a file counts at least: its sidecar and its bytes take two files on the disk however small it is.</summary>
    public const long MinimumCost = 64 * 1024;

    private readonly Lock _sync = new();
    private readonly Dictionary<string, long> _participants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _meetings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _apps = new(StringComparer.Ordinal);

    /// <summary>What <paramref name="file"/> counts as it is now (not uploaded: <see cref="MinimumCost"/>).</summary>
    public static long CostOf(ChatFile file) => Math.Max(file.Size, MinimumCost);

    /// <summary>Counts <paramref name="bytes"/> more for the file's participant, meeting and app; refused (413) when that passes one of their quotas.</summary>
    public void Charge(ChatFile file, long bytes)
    {
        lock (_sync)
        {
            Check(_participants, file.ParticipantId, bytes, options.MaxFileBytesPerParticipant, "this participant's");
            Check(_meetings, file.MeetingId, bytes, options.MaxFileBytesPerMeeting, "this meeting's");
            Check(_apps, file.AppId, bytes, options.MaxFileBytesPerApp, "this app's");
            Add(file, bytes);
        }
    }

    /// <summary>Counts a file found on the disk, whatever the quotas say now.</summary>
    public void Count(ChatFile file)
    {
        lock (_sync)
        {
            Add(file, CostOf(file));
        }
    }

    public void Release(ChatFile file, long bytes)
    {
        lock (_sync)
        {
            Add(file, -bytes);
        }
    }

    private void Add(ChatFile file, long bytes)
    {
        Add(_participants, file.ParticipantId, bytes);
        Add(_meetings, file.MeetingId, bytes);
        Add(_apps, file.AppId, bytes);
    }

    private static void Add(Dictionary<string, long> used, string? key, long bytes)
    {
        if (key is null)
        {
            return; // a file reserved before its app was kept: counted for its participant and meeting only
        }

        long now = used.GetValueOrDefault(key) + bytes;
        if (now > 0)
        {
            used[key] = now;
        }
        else
        {
            used.Remove(key);
        }
    }

    private static void Check(Dictionary<string, long> used, string? key, long bytes, long quota, string whose)
    {
        if (key is not null && bytes > 0 && used.GetValueOrDefault(key) + bytes > quota)
        {
            throw new DomainException(DomainError.TooLarge,
                $"{whose} files in chat have reached their quota of {quota} bytes (each file counts at least {MinimumCost}); older ones go with chat's retention");
        }
    }
}
