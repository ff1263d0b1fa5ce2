using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Meetings;

/// <summary>
/// The body of POST, PUT and PATCH /meetings. POST and PUT give what is missing its default; PATCH leaves it as it was.
/// <c>ai_config</c> and <c>recording_config</c> are kept as given (Stagecast neither transcribes nor summarises).
/// </summary>
[OptionalBody]
public sealed record MeetingRequest
{
    public const int MinKeepAlive = 60;
    public const int MaxKeepAlive = 600;

    [StringLength(1024)]
    public string? Title { get; init; }

    public bool? RecordOnStart { get; init; }

    public bool? LiveStreamOnStart { get; init; }

    public bool? PersistChat { get; init; }

    public bool? SummarizeOnEnd { get; init; }

    public bool? TranscribeOnEnd { get; init; }

    [Range(MinKeepAlive, MaxKeepAlive)]
    public int? SessionKeepAliveTimeInSecs { get; init; }

    [AllowedValues("ACTIVE", "INACTIVE", null)]
    public string? Status { get; init; }

    public JsonObject? AiConfig { get; init; }

    public JsonObject? RecordingConfig { get; init; }

    /// <summary>The request applied onto <paramref name="baseMeeting"/>: a new meeting's defaults, or the meeting as it is.</summary>
    public Meeting ApplyTo(Meeting baseMeeting) => baseMeeting with
    {
        Title = Title ?? baseMeeting.Title,
        RecordOnStart = RecordOnStart ?? baseMeeting.RecordOnStart,
        LiveStreamOnStart = LiveStreamOnStart ?? baseMeeting.LiveStreamOnStart,
        PersistChat = PersistChat ?? baseMeeting.PersistChat,
        SummarizeOnEnd = SummarizeOnEnd ?? baseMeeting.SummarizeOnEnd,
        TranscribeOnEnd = TranscribeOnEnd ?? baseMeeting.TranscribeOnEnd,
        SessionKeepAliveTimeInSecs = SessionKeepAliveTimeInSecs ?? baseMeeting.SessionKeepAliveTimeInSecs,
        Status = Status switch
        {
            "ACTIVE" => MeetingStatus.Active,
            "INACTIVE" => MeetingStatus.Inactive,
            _ => baseMeeting.Status,
        },
        AiConfig = AiConfig ?? baseMeeting.AiConfig,
        RecordingConfig = RecordingConfig ?? baseMeeting.RecordingConfig,
    };
}
