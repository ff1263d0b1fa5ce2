namespace Stagecast.Server.Features.MeetingLivestreams;

/// <summary>The programs that feed meeting livestreams (the compositor provides them).</summary>
public interface IMeetingLivestreamPrograms
{
    /// <summary>The status of the program feeding <paramref name="livestreamId"/> of <paramref name="meetingId"/>; null when none does.</summary>
    ProgramStatusDto? Status(string meetingId, string livestreamId);
}
