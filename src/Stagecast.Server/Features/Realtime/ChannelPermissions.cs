using Stagecast.Server.Features.Presets;

namespace Stagecast.Server.Features.Realtime;

/// <summary>
/// What the channel tells a peer it may do (the join answer's <c>permissions</c>), read from its preset. <c>can_produce_*</c>
/// say whether it may publish that media at all: in a meeting with a stage (<c>stage_enabled</c>), only while on it.
/// <c>stage_access</c> says how it gets there (<c>ALLOWED</c>: joins at will; <c>CAN_REQUEST</c>: asks, and joins once a
/// host lets it; <c>NOT_ALLOWED</c>); <c>accept_stage_requests</c> makes it a host of the stage. <c>plugins_can_start</c>
/// and <c>plugins_can_close</c>: whether it may open plugins for everyone, and close those others opened.
/// <c>chat_can_send_files</c>: files and pictures to everyone; <c>chat_private_can_send</c>: text to chosen peers;
/// <c>chat_private_can_receive</c>: whether others may send it private messages. <c>connected_meetings_can_alter</c>: makes,
/// closes and fills breakout rooms; <c>_can_switch</c> and <c>_can_switch_to_parent</c>: may move itself between them.
/// </summary>
public sealed record ChannelPermissions(
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
    string WaitingRoomType,
    bool StageEnabled,
    string StageAccess,
    bool AcceptStageRequests,
    bool PluginsCanStart,
    bool PluginsCanClose,
    bool ChatCanSendFiles,
    bool ChatPrivateCanSend,
    bool ChatPrivateCanReceive,
    bool ConnectedMeetingsCanAlter,
    bool ConnectedMeetingsCanSwitch,
    bool ConnectedMeetingsCanSwitchToParent)
{
    public static ChannelPermissions Of(PresetPermissions may) => new(
        may.ViewType, may.CanLivestream, may.CanRecord, may.MayProduceAudio, may.MayProduceVideo, may.MayProduceScreenshare, may.KickParticipant,
        may.AcceptWaitingRequests, may.HiddenParticipant, may.ChatCanSend, may.ChatCanReceive, may.PollsCanCreate, may.PollsCanVote, may.PollsCanView,
        may.MaxVideoStreams, may.WaitingRoomType, may.StageEnabled, may.StageAccess.Name(), may.AcceptStageRequests,
        may.PluginsCanStart, may.PluginsCanClose, may.ChatRefusal(toPeers: false, file: true) is null, may.ChatRefusal(toPeers: true, file: false) is null,
        may.ChatPrivate.CanReceive, may.CanAlterConnectedMeetings, may.CanSwitchConnectedMeetings, may.CanSwitchToParentMeeting);
}
