using Stagecast.Server.Hosting;

namespace Stagecast.Server.Features.MeetingSessions;

/// <summary>What the files of one participant, meeting and app count now (<see cref="ChatFileQuota.CostOf"/>, summed).</summary>
public readonly record struct ChatFileUsage(long Participant, long Meeting, long App);

/// <summary>
/// The chat files kept, per participant, meeting and app, against <see cref="ChatOptions"/>'s quotas: summed from their
/// records (<see cref="SqlChatFileStore"/>) in the transaction that adds to them, so the figures are every node's when
/// nodes share PostgreSQL. A file counts its bytes, at least <see cref="MinimumCost"/> (a reservation whose bytes have
/// not arrived counts that), so a quota bounds how many files fill it as well as their bytes. Bytes are charged as they
/// arrive, so uploads running side by side never pass a quota together; what an upload that failed had charged is given back.
/// </summary>
public sealed class ChatFileQuota(ChatOptions options)
{
    /// <summary>What a file counts at least: its record and its bytes however small it is.</summary>
    public const long MinimumCost = 64 * 1024;

    /// <summary>What a file of <paramref name="size"/> bytes counts (not uploaded, none charged yet: <see cref="MinimumCost"/>).</summary>
    public static long CostOf(long size) => Math.Max(size, MinimumCost);

    /// <summary>Refuses (413) <paramref name="bytes"/> more for the file's participant, meeting or app when that passes their quota.</summary>
    public void Check(ChatFile file, long bytes, ChatFileUsage used)
    {
        Check(file.ParticipantId, used.Participant, bytes, options.MaxFileBytesPerParticipant, "this participant's");
        Check(file.MeetingId, used.Meeting, bytes, options.MaxFileBytesPerMeeting, "this meeting's");
        Check(file.AppId, used.App, bytes, options.MaxFileBytesPerApp, "this app's");
    }

    private static void Check(string? key, long used, long bytes, long quota, string whose)
    {
        if (key is not null && bytes > 0 && used + bytes > quota)
        {
            throw new DomainException(DomainError.TooLarge,
                $"{whose} files in chat have reached their quota of {quota} bytes (each file counts at least {MinimumCost}); older ones go with chat's retention");
        }
    }
}
