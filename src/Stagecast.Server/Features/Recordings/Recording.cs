using Stagecast.Recording;

namespace Stagecast.Server.Features.Recordings;

/// <summary>A recording (RealtimeKit's object): of a meeting's program, or of a livestream session.</summary>
public sealed record Recording(
    string Id,
    string AppId,
    string? MeetingId,
    string? LivestreamId,
    string? SessionId,
    RecordingStatus Status,
    DateTimeOffset InvokedTime,
    DateTimeOffset? StartedTime,
    DateTimeOffset? StoppedTime,
    string OutputFileName,
    long? FileSize,
    double? Duration,
    string StartReason,
    string? StopReason,
    int? MaxSeconds,
    string? Error,
    byte[]? SealedStorage = null,
    string? StorageKey = null,
    IReadOnlyList<RecordedTrack>? Tracks = null,
    long? CaptionsFileSize = null)
{
    /// <summary>The name of its captions' WebVTT file (there when <see cref="CaptionsFileSize"/> is): its MP4's, as .vtt.</summary>
    public string CaptionsFileName => Path.ChangeExtension(OutputFileName, ".vtt");
}

public enum RecordingStatus
{
    Invoked,
    Recording,
    Paused,
    Uploading,
    Uploaded,
    Errored,
}

public static class RecordingStatuses
{
    public static string Name(this RecordingStatus status) => status.ToString().ToUpperInvariant();

    public static RecordingStatus? Parse(string? value) => value?.ToUpperInvariant() switch
    {
        "INVOKED" => RecordingStatus.Invoked,
        "RECORDING" => RecordingStatus.Recording,
        "PAUSED" => RecordingStatus.Paused,
        "UPLOADING" => RecordingStatus.Uploading,
        "UPLOADED" => RecordingStatus.Uploaded,
        "ERRORED" => RecordingStatus.Errored,
        _ => null,
    };

    public static bool IsActive(this RecordingStatus status) => status is RecordingStatus.Invoked or RecordingStatus.Recording or RecordingStatus.Paused;
}

public sealed record RecordingFilter(string? MeetingId, RecordingStatus? Status, DateTimeOffset? From, DateTimeOffset? To, bool Ascending);
