using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Meetings;

/// <summary>
/// The body of POST, PUT and PATCH /meetings. POST and PUT give what is missing its default; PATCH leaves it as it was.
/// <c>ai_config</c> and <c>recording_config</c> are kept as given, <c>ai_config.summarization</c> and <c>.transcription</c>
/// checked (<see cref="AiSummarization"/>, <see cref="AiTranscription"/>).
/// </summary>
[OptionalBody]
public sealed record MeetingRequest : IValidatableObject
{
    public const int MinKeepAlive = 60;
    public const int MaxKeepAlive = 600;

    /// <summary>The longest title of a meeting (a breakout room's too).</summary>
    public const int MaxTitleLength = 1024;

    [StringLength(MaxTitleLength)]
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

    /// <summary>RTMP(S) destinations the program is pushed to with every session (SignalWire's room streams): <c>[{"url": ...}]</c>.</summary>
    [ItemCount(0, MaxRoomStreams)]
    public IReadOnlyList<RoomStreamSetting>? RoomStreams { get; init; }

    public const int MaxRoomStreams = 10;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        (RoomStreams ?? []).SelectMany(r => r.Validate(validationContext)).Concat(AiSummarization.Validate(AiConfig))
        .Concat(AiTranscription.Validate(AiConfig));

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
        RoomStreams = RoomStreams is null ? baseMeeting.RoomStreams : [.. RoomStreams.Select(r => r.Url!)],
    };
}

/// <summary>One of a meeting's <c>room_streams</c>.</summary>
public sealed record RoomStreamSetting : IValidatableObject
{
    [Required]
    [StringLength(2048)]
    public string? Url { get; init; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Url is null)
        {
            yield return new ValidationResult("\"room_streams[].url\" is required");
        }
        else if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || !Stagecast.Restream.RestreamDestination.IsSupported(uri))
        {
            yield return new ValidationResult("\"room_streams[].url\" must be an rtmp:// or rtmps:// URL with the stream key as its last path segment");
        }
    }
}
