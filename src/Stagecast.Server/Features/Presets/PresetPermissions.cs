using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Stagecast.Streaming.Renditions;

namespace Stagecast.Server.Features.Presets;

/// <summary>
/// The permissions Stagecast enforces, read from a normalised preset (<see cref="PresetDocument"/>). What a peer may
/// produce is RealtimeKit's <c>media.{audio,video,screenshare}.can_produce</c> when the preset has it, else the flat
/// <c>can_produce_*</c> flags (<c>*Access</c>); <c>MayProduce*</c> say whether it may at all (CAN_REQUEST: on the stage).
/// Each front end tells its clients in its own words (the JSON channel: <c>Realtime.ChannelPermissions</c>).
/// </summary>
public sealed record PresetPermissions(
    string ViewType,
    bool CanLivestream,
    bool CanRecord,
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

    /// <summary>Nothing allowed: what a stand-in for a peer on another node carries, whose permissions are read there.</summary>
    public static readonly PresetPermissions None = new("GROUP_CALL", false, false, false, false, false, false, false, false, false, false, 0);

    /// <summary>
    /// Whether the preset has a stage: its peers produce only while on it. As RealtimeKit's SDK reads a preset: WEBINAR
    /// and LIVESTREAM always, AUDIO_ROOM and CHAT with <c>stage_enabled</c>; GROUP_CALL never (every peer is on stage).
    /// </summary>
    public bool StageEnabled { get; init; }

    /// <summary>
    /// <c>stage_access</c>: ALLOWED joins the stage at will, CAN_REQUEST once a host grants it, NOT_ALLOWED never. When the
    /// preset leaves it out, the SDK's reading: ALLOWED if any media is, else CAN_REQUEST if any media is, else NOT_ALLOWED.
    /// </summary>
    public PresetAccess StageAccess { get; init; }

    /// <summary><c>accept_stage_requests</c> (or RealtimeKit's older <c>can_accept_production_requests</c>), in a preset with a stage.</summary>
    public bool AcceptStageRequests { get; init; }

    public PresetAccess AudioAccess { get; init; }

    public PresetAccess VideoAccess { get; init; }

    public PresetAccess ScreenshareAccess { get; init; }

    public bool CanSpotlight { get; init; }

    public bool DisableParticipantAudio { get; init; }

    public bool DisableParticipantVideo { get; init; }

    public bool DisableParticipantScreensharing { get; init; }

    /// <summary><c>connected_meetings.can_alter_connected_meetings</c>: may make and close breakout rooms, and move anyone between them.</summary>
    public bool CanAlterConnectedMeetings { get; init; }

    /// <summary><c>connected_meetings.can_switch_connected_meetings</c>: may move itself into a breakout room.</summary>
    public bool CanSwitchConnectedMeetings { get; init; }

    /// <summary><c>connected_meetings.can_switch_to_parent_meeting</c>: may move itself back to the main meeting.</summary>
    public bool CanSwitchToParentMeeting { get; init; }

    /// <summary><c>plugins.can_start</c>: may open a plugin for the whole meeting.</summary>
    public bool PluginsCanStart { get; init; }

    /// <summary><c>plugins.can_close</c>: may close a plugin someone else opened (its opener always may).</summary>
    public bool PluginsCanClose { get; init; }

    /// <summary><c>plugins.can_edit_config</c>: may wipe a plugin's shared store at once (its keys stay open to everyone).</summary>
    public bool PluginsCanEditConfig { get; init; }

    /// <summary><c>pin_participant</c>: may pin participants, and pin public chat messages for everyone.</summary>
    public bool PinParticipant { get; init; }

    /// <summary>RealtimeKit's <c>chat.message.can_edit</c> is not NONE: may edit its own messages.</summary>
    public bool ChatCanEdit { get; init; } = true;

    /// <summary>RealtimeKit's <c>chat.message.can_delete</c> is not NONE: may delete its own messages.</summary>
    public bool ChatCanDelete { get; init; } = true;

    /// <summary>RealtimeKit's <c>chat.message.can_delete</c> is ALL: may delete anyone's messages.</summary>
    public bool ChatDeleteAny { get; init; }

    /// <summary><c>can_change_participant_permissions</c>: may change others' permissions for the session (<see cref="PermissionPatch"/>).</summary>
    public bool CanChangeParticipantPermissions { get; init; }

    /// <summary>RealtimeKit's <c>chat.message.edit_cutoff_time_seconds</c>: how long after sending a message its sender may edit it (null: always).</summary>
    public TimeSpan? ChatEditCutoff { get; init; }

    /// <summary>
    /// <c>chat.message.delete_cutoff_time_seconds</c>: how long after sending a message its sender may delete it (null:
    /// always); a preset that deletes anyone's (<see cref="ChatDeleteAny"/>) is not held to it.
    /// </summary>
    public TimeSpan? ChatDeleteCutoff { get; init; }

    /// <summary>
    /// <c>chat.public</c>: what the peer may send to everyone (<c>can_send</c> is <see cref="ChatCanSend"/>). Read as
    /// RealtimeKit's SDK reads it: <c>text</c> and <c>files</c> allowed unless the preset says false.
    /// </summary>
    public ChatScope ChatPublic { get; init; } = ChatScope.Open;

    /// <summary>
    /// <c>chat.private</c>: what the peer may send to chosen peers, and whether it may be sent to. As RealtimeKit's SDK
    /// reads it: nothing unless the preset says true.
    /// </summary>
    public ChatScope ChatPrivate { get; init; } = ChatScope.Closed;

    /// <summary>Whether the peer may send a file in chat at all (to everyone or privately): whether it may upload one.</summary>
    public bool ChatCanSendFiles => ChatRefusal(toPeers: false, file: true) is null || ChatRefusal(toPeers: true, file: true) is null;

    /// <summary>
    /// <c>can_edit_display_name</c>: may choose the name others see instead of the participant's (allowed unless the
    /// preset says false, as presets made before it was enforced expect).
    /// </summary>
    public bool CanEditDisplayName { get; init; } = true;

    /// <summary><c>transcription_enabled</c>: the participant's words are transcribed live (when the server runs a speech engine).</summary>
    public bool TranscriptionEnabled { get; init; }

    /// <summary>
    /// <c>config.livestream_viewer_qualities</c>: the ladder of a meeting livestream its holder starts, unless the start
    /// names its own (<see cref="ViewerQualities"/>); null when it names none.
    /// </summary>
    public ImmutableArray<Rendition>? LivestreamViewerQualities { get; init; }

    /// <summary>May produce audio: without asking, or (CAN_REQUEST in a preset with a stage) while on the stage.</summary>
    public bool MayProduceAudio => MayProduce(AudioAccess);

    public bool MayProduceVideo => MayProduce(VideoAccess);

    public bool MayProduceScreenshare => MayProduce(ScreenshareAccess);

    public static PresetPermissions From(JsonObject config, JsonObject permissions)
    {
        string viewType = config["view_type"]?.GetValue<string>() ?? "GROUP_CALL";
        PresetAccess[] media = [Produce(permissions, "audio"), Produce(permissions, "video"), Produce(permissions, "screenshare")];
        bool stage = viewType != "GROUP_CALL" && (viewType is "WEBINAR" or "LIVESTREAM" || Flag(permissions, "stage_enabled"));
        return new(
            viewType,
            Flag(permissions, "can_livestream"),
            Flag(permissions, "can_record"),
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
                : "SKIP")
        {
            StageEnabled = stage,
            StageAccess = PresetAccesses.Of(permissions["stage_access"])
                ?? (media.Contains(PresetAccess.Allowed) ? PresetAccess.Allowed : media.Contains(PresetAccess.CanRequest) ? PresetAccess.CanRequest : PresetAccess.NotAllowed),
            AcceptStageRequests = stage && (Flag(permissions, "accept_stage_requests") || Flag(permissions, "can_accept_production_requests")),
            AudioAccess = media[0],
            VideoAccess = media[1],
            ScreenshareAccess = media[2],
            CanSpotlight = Flag(permissions, "can_spotlight"),
            DisableParticipantAudio = Flag(permissions, "disable_participant_audio"),
            DisableParticipantVideo = Flag(permissions, "disable_participant_video"),
            DisableParticipantScreensharing = Flag(permissions, "disable_participant_screensharing"),
            CanAlterConnectedMeetings = Flag(permissions["connected_meetings"] as JsonObject, "can_alter_connected_meetings"),
            CanSwitchConnectedMeetings = Flag(permissions["connected_meetings"] as JsonObject, "can_switch_connected_meetings"),
            CanSwitchToParentMeeting = Flag(permissions["connected_meetings"] as JsonObject, "can_switch_to_parent_meeting"),
            PluginsCanStart = Flag(permissions["plugins"] as JsonObject, "can_start"),
            PluginsCanClose = Flag(permissions["plugins"] as JsonObject, "can_close"),
            PluginsCanEditConfig = Flag(permissions["plugins"] as JsonObject, "can_edit_config"),
            PinParticipant = Flag(permissions, "pin_participant"),
            ChatCanEdit = ChatMessageAccess(permissions, "can_edit") != "NONE",
            ChatCanDelete = ChatMessageAccess(permissions, "can_delete") != "NONE",
            ChatDeleteAny = ChatMessageAccess(permissions, "can_delete") == "ALL",
            CanChangeParticipantPermissions = Flag(permissions, "can_change_participant_permissions"),
            ChatEditCutoff = ChatMessageCutoff(permissions, "edit_cutoff_time_seconds"),
            ChatDeleteCutoff = ChatMessageCutoff(permissions, "delete_cutoff_time_seconds"),
            ChatPublic = Scope(permissions, "public", ChatScope.Open),
            ChatPrivate = Scope(permissions, "private", ChatScope.Closed),
            TranscriptionEnabled = Flag(permissions, "transcription_enabled"),
            CanEditDisplayName = permissions["can_edit_display_name"] is not JsonValue edit || !edit.TryGetValue(out bool editable) || editable,
            LivestreamViewerQualities = ViewerQualities.Read(config["livestream_viewer_qualities"]),
        };
    }

    /// <summary>These permissions as <paramref name="patch"/> changes them (a stage's hosts' flag only where there is a stage).</summary>
    public PresetPermissions With(PermissionPatch patch) => this with
    {
        CanRecord = patch.CanRecord ?? CanRecord,
        CanLivestream = patch.CanLivestream ?? CanLivestream,
        KickParticipant = patch.KickParticipant ?? KickParticipant,
        PinParticipant = patch.PinParticipant ?? PinParticipant,
        AcceptWaitingRequests = patch.AcceptWaitingRequests ?? AcceptWaitingRequests,
        AcceptStageRequests = StageEnabled && (patch.AcceptStageRequests ?? AcceptStageRequests),
        CanSpotlight = patch.CanSpotlight ?? CanSpotlight,
        DisableParticipantAudio = patch.DisableParticipantAudio ?? DisableParticipantAudio,
        DisableParticipantVideo = patch.DisableParticipantVideo ?? DisableParticipantVideo,
        DisableParticipantScreensharing = patch.DisableParticipantScreensharing ?? DisableParticipantScreensharing,
        TranscriptionEnabled = patch.TranscriptionEnabled ?? TranscriptionEnabled,
        CanChangeParticipantPermissions = patch.CanChangeParticipantPermissions ?? CanChangeParticipantPermissions,
        PollsCanCreate = patch.PollsCanCreate ?? PollsCanCreate,
        PollsCanVote = patch.PollsCanVote ?? PollsCanVote,
        PollsCanView = patch.PollsCanView ?? PollsCanView,
        PluginsCanStart = patch.PluginsCanStart ?? PluginsCanStart,
        PluginsCanClose = patch.PluginsCanClose ?? PluginsCanClose,
        AudioAccess = patch.AudioAccess ?? AudioAccess,
        VideoAccess = patch.VideoAccess ?? VideoAccess,
        ScreenshareAccess = patch.ScreenshareAccess ?? ScreenshareAccess,
        ChatCanSend = patch.ChatPublic?.CanSend ?? ChatCanSend,
        ChatPublic = patch.ChatPublic?.Applied(ChatPublic) ?? ChatPublic,
        ChatPrivate = patch.ChatPrivate?.Applied(ChatPrivate) ?? ChatPrivate,
    };

    /// <summary>
    /// Why the preset refuses a chat message (null: it may send it): to everyone or to chosen peers
    /// (<paramref name="toPeers"/>), a text or a file (<paramref name="file"/>), naming the setting that refuses it.
    /// </summary>
    public string? ChatRefusal(bool toPeers, bool file)
    {
        var (scope, name, may) = toPeers ? (ChatPrivate, "private", ChatPrivate.CanSend) : (ChatPublic, "public", ChatCanSend);
        return !may ? $"your preset does not allow sending {(toPeers ? "private " : "")}chat messages (chat.{name}.can_send)"
            : file && !scope.Files ? $"your preset does not allow sending files in {(toPeers ? "private " : "")}chat (chat.{name}.files)"
            : !file && !scope.Text ? $"your preset does not allow sending text in {(toPeers ? "private " : "")}chat (chat.{name}.text)"
            : null;
    }

    private bool MayProduce(PresetAccess access) => access == PresetAccess.Allowed || (access == PresetAccess.CanRequest && StageEnabled);

    /// <summary>RealtimeKit's <c>media.{kind}.can_produce</c> wins; a preset without it says with <c>can_produce_{kind}</c>.</summary>
    private static PresetAccess Produce(JsonObject permissions, string kind) =>
        PresetAccesses.Of(((permissions["media"] as JsonObject)?[kind] as JsonObject)?["can_produce"]) ?? (Flag(permissions, $"can_produce_{kind}") ? PresetAccess.Allowed : PresetAccess.NotAllowed);

    /// <summary><c>chat.message.{name}</c>: ALL (anyone's messages), NONE, or else (SELF, or not said) one's own.</summary>
    private static string? ChatMessageAccess(JsonObject permissions, string name) =>
        ((permissions["chat"] as JsonObject)?["message"] as JsonObject)?[name] is JsonValue value && value.TryGetValue(out string? access) ? access : null;

    /// <summary><c>chat.message.{name}</c> in seconds, when above 0 (RealtimeKit's 0, or none said, sets no cutoff).</summary>
    private static TimeSpan? ChatMessageCutoff(JsonObject permissions, string name) =>
        ((permissions["chat"] as JsonObject)?["message"] as JsonObject)?[name] is JsonValue value && value.TryGetValue(out long seconds) && seconds > 0
            ? TimeSpan.FromSeconds(Math.Min(seconds, (long)TimeSpan.MaxValue.TotalSeconds))
            : null;

    /// <summary><c>chat.{name}</c>, each flag the preset leaves out taken from <paramref name="unsaid"/>.</summary>
    private static ChatScope Scope(JsonObject permissions, string name, ChatScope unsaid)
    {
        var scope = (permissions["chat"] as JsonObject)?[name] as JsonObject;
        return new(FlagOr(scope, "can_send", unsaid.CanSend), FlagOr(scope, "can_receive", unsaid.CanReceive), FlagOr(scope, "text", unsaid.Text), FlagOr(scope, "files", unsaid.Files));
    }

    private static bool FlagOr(JsonObject? parent, string name, bool unsaid) => parent?[name] is JsonValue value && value.TryGetValue(out bool flag) ? flag : unsaid;

    private static bool Flag(JsonObject? parent, string name) => FlagOr(parent, name, unsaid: false);
}

/// <summary>One of RealtimeKit's chat scopes (<c>chat.public</c>, <c>chat.private</c>): may send, may be sent to, with text, with files.</summary>
public sealed record ChatScope(bool CanSend, bool CanReceive, bool Text, bool Files)
{
    public static readonly ChatScope Open = new(true, true, true, true);

    public static readonly ChatScope Closed = new(false, false, false, false);
}
