namespace Stagecast.Server.Features.Recordings;

/// <summary>The recordings' log lines, whichever kind writes them.</summary>
internal static partial class RecordingLog
{
    [LoggerMessage(1, LogLevel.Information, "Recording {RecordingId} of meeting {MeetingId} started ({Reason})")]
    public static partial void Started(ILogger logger, string recordingId, string meetingId, string reason);

    [LoggerMessage(2, LogLevel.Information, "Recording {RecordingId} stopped ({Reason}): {Status}")]
    public static partial void Stopped(ILogger logger, string recordingId, string reason, string status);

    [LoggerMessage(3, LogLevel.Information, "Meeting {MeetingId} records on start, but its recording was not started: {Reason}")]
    public static partial void AutoStartSkipped(ILogger logger, string meetingId, string reason);

    [LoggerMessage(4, LogLevel.Warning, "Uploading recording {RecordingId} failed: {Reason}")]
    public static partial void UploadFailed(ILogger logger, string recordingId, string reason);

    [LoggerMessage(5, LogLevel.Error, "Saving the upload of recording {RecordingId} failed; the next start uploads it again")]
    public static partial void UploadNotSaved(ILogger logger, Exception exception, string recordingId);

    [LoggerMessage(6, LogLevel.Information, "The upload of recording {RecordingId} was interrupted by the shutdown; the next start uploads it again")]
    public static partial void UploadInterrupted(ILogger logger, Exception exception, string recordingId);

    [LoggerMessage(7, LogLevel.Error, "Recording livestream {LivestreamId} could not start")]
    public static partial void LivestreamNotStarted(ILogger logger, Exception exception, string livestreamId);
}
