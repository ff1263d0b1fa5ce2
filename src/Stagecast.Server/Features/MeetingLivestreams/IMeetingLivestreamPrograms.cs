namespace Stagecast.Server.Features.MeetingLivestreams;

/// <summary>The programs that feed meeting livestreams (the compositor provides them).</summary>
public interface IMeetingLivestreamPrograms
{
    /// <summary>The status of the program feeding <paramref name="livestreamId"/> of <paramref name="meetingId"/>; null when none does.</summary>
    ProgramStatusDto? Status(string meetingId, string livestreamId);

    /// <summary>
    /// Lets meeting <paramref name="meetingId"/> of app <paramref name="appId"/> have a program to feed a livestream about
    /// to start, before anything is created; refused (429, with the error envelope) when the app runs all it may.
    /// </summary>
    void Admit(string appId, string meetingId);
}
