using System.Text.Json.Nodes;

namespace Stagecast.Server.Features.Presets;

/// <summary>The permissions Stagecast enforces, read from a normalised preset (<see cref="PresetDocument"/>).</summary>
public sealed record PresetPermissions(
    string ViewType,
    bool CanLivestream,
    bool CanRecord,
    bool CanProduceAudio,
    bool CanProduceVideo,
    bool CanProduceScreenshare,
    bool KickParticipant,
    bool AcceptWaitingRequests,
    bool HiddenParticipant,
    bool ChatCanSend,
    bool ChatCanReceive,
    bool PollsCanCreate,
    bool PollsCanVote,
    bool PollsCanView,
    int MaxVideoStreams,
    string WaitingRoomType = "SKIP")
{
    /// <summary>How many publishing peers' video a participant watches at once when the preset does not say (RealtimeKit's desktop default).</summary>
    public const int DefaultMaxVideoStreams = 25;

    public static PresetPermissions From(JsonObject config, JsonObject permissions) => new(
        config["view_type"]?.GetValue<string>() ?? "GROUP_CALL",
        Flag(permissions, "can_livestream"),
        Flag(permissions, "can_record"),
        Flag(permissions, "can_produce_audio"),
        Flag(permissions, "can_produce_video"),
        Flag(permissions, "can_produce_screenshare"),
        Flag(permissions, "kick_participant"),
        Flag(permissions, "accept_waiting_requests"),
        Flag(permissions, "hidden_participant"),
        Flag(permissions["chat"] as JsonObject, "can_send"),
        Flag(permissions["chat"] as JsonObject, "can_receive"),
        Flag(permissions["polls"] as JsonObject, "can_create"),
        Flag(permissions["polls"] as JsonObject, "can_vote"),
        Flag(permissions["polls"] as JsonObject, "can_view"),
        config["max_video_streams"] is JsonObject streams && streams["desktop"] is JsonValue desktop && desktop.TryGetValue(out int max) && max > 0
            ? max
            : DefaultMaxVideoStreams,
        permissions["waiting_room_type"] is JsonValue type && type.TryGetValue(out string? waiting) && waiting is "ON_PRIVILEGED_USER_ENTRY" or "SKIP_ON_ACCEPT"
            ? waiting
            : "SKIP");

    private static bool Flag(JsonObject? parent, string name) => parent?[name] is JsonValue value && value.TryGetValue(out bool flag) && flag;
}
