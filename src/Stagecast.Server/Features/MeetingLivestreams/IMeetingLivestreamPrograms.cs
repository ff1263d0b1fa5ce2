namespace Stagecast.Server.Features.MeetingLivestreams;

/// <summary>The programs that feed meeting livestreams (the compositor provides them).</summary>
public interface IMeetingLivestreamPrograms
{
    /// <summary>The status of the program feeding <paramref name="livestreamId"/> of <paramref name="meetingId"/>; null when none does.</summary>
    ProgramStatusDto? Status(string meetingId, string livestreamId);

    /// <summary>
    /// Lets meeting <paramref name="meetingId"/> of app <paramref name="appId"/> have a program to feed a livestream about
    /// to start, before anything is created; refused with the error envelope when the app, its account or the server
    /// runs all it may (429, 429, 503).
    /// </summary>
    Task AdmitAsync(string appId, string meetingId, CancellationToken cancellationToken);
}
