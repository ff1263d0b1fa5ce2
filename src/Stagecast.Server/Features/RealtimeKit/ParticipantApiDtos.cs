using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Stagecast.Server.Features.Livestreams;

namespace Stagecast.Server.Features.RealtimeKit;

/// <summary>
/// A meeting's livestream as RealtimeKit's client reads it (<c>status</c> <c>LIVE</c> or <c>INVOKED</c>, the playback
/// URL); the ingest server and key only for a participant who may livestream, and only with manual ingest.
/// </summary>
public sealed record ParticipantLivestreamDto(string Id, string Status, string PlaybackUrl, bool ManualIngest, string? IngestServer, string? StreamKey)
{
    public static ParticipantLivestreamDto From(LivestreamView view, bool withCredentials)
    {
        bool credentials = withCredentials && view.Record.ManualIngest;
        return new(view.Record.Id, LivestreamDto.StatusText(view.Status), view.PlaybackUrl, view.Record.ManualIngest,
            credentials ? view.IngestServer : null, credentials ? view.StreamKey : null);
    }
}

/// <summary>
/// <c>POST /v2/recordings</c> as the client sends it: the meeting and whether several recordings may run; the rest of
/// the body (the app's recording defaults) is the account API's business and is ignored here.
/// </summary>
public sealed record ParticipantRecordingRequest
{
    [Required]
    [StringLength(64)]
    public string? MeetingId { get; init; }

    public bool AllowMultipleRecordings { get; init; }
}

/// <summary><c>GET /v2/plugins/user</c>: the plugins the participant may use.</summary>
public sealed record PluginsDto(IReadOnlyList<JsonObject> Plugins);

/// <summary><c>POST /v2/plugins/authorize/{id}</c>: the token a plugin's frame gets.</summary>
public sealed record PluginTokenDto(string Token);

/// <summary>
/// <c>POST /v2/meetings/chat-upload</c> as the client sends it: the file's name and, from the app's
/// <c>chat_upload_expiry</c>, how many seconds the upload link should last (1 to 60 minutes; 10 by default). The
/// session (<c>roomUUID</c>) is the participant's own meeting's and is not read.
/// </summary>
public sealed record ChatUploadRequest
{
    [JsonPropertyName("roomUUID")]
    [StringLength(64)]
    public string? RoomUuid { get; init; }

    [Required]
    [StringLength(200)]
    public string? Filename { get; init; }

    [Range(1, int.MaxValue)]
    public int? Expiry { get; init; }
}

/// <summary>Where the client PUTs the file, and the download link its message carries.</summary>
public sealed record ChatUploadDto(string PutLocation, string GetLocation);
