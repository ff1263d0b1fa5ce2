using Stagecast.RealtimeKit.Protocol.Presets;
using Stagecast.Server.Features.Presets;

namespace Stagecast.Server.Features.RealtimeKit.Socket;

/// <summary>
/// RealtimeKit's permission changes (presets event 1, <c>participants.updatePermissions</c>) in the room's words
/// (<see cref="PermissionPatch"/>) and back: the SDK sends a <see cref="PresetUpdates"/> per participant, and each
/// target's SDK merges the one it is pushed into its own permissions. Only what Stagecast enforces is taken (waiting
/// room type, recorder, hidden, participant list, connected meetings and the display name are not), and only that is
/// pushed.
/// </summary>
public static class RealtimeKitPermissionUpdates
{
    /// <summary>The room's change from the SDK's patch.</summary>
    public static PermissionPatch Patch(PresetUpdates updates) => new()
    {
        CanRecord = updates.HasCanRecord ? updates.CanRecord : null,
        CanLivestream = updates.HasCanLivestream ? updates.CanLivestream : null,
        KickParticipant = updates.HasKickParticipant ? updates.KickParticipant : null,
        PinParticipant = updates.HasPinParticipant ? updates.PinParticipant : null,
        AcceptWaitingRequests = updates.HasAcceptWaitingRequests ? updates.AcceptWaitingRequests : null,
        AcceptStageRequests = updates.HasCanAcceptProductionRequests ? updates.CanAcceptProductionRequests : null,
        CanSpotlight = updates.HasCanSpotlight ? updates.CanSpotlight : null,
        DisableParticipantAudio = updates.HasDisableParticipantAudio ? updates.DisableParticipantAudio : null,
        DisableParticipantVideo = updates.HasDisableParticipantVideo ? updates.DisableParticipantVideo : null,
        DisableParticipantScreensharing = updates.HasDisableParticipantScreensharing ? updates.DisableParticipantScreensharing : null,
        TranscriptionEnabled = updates.HasTranscriptionEnabled ? updates.TranscriptionEnabled : null,
        CanChangeParticipantPermissions = updates.HasCanChangeParticipantPermissions ? updates.CanChangeParticipantPermissions : null,
        PollsCanCreate = updates.Polls is { HasCanCreate: true } ? updates.Polls.CanCreate : null,
        PollsCanVote = updates.Polls is { HasCanVote: true } ? updates.Polls.CanVote : null,
        PollsCanView = updates.Polls is { HasCanView: true } ? updates.Polls.CanView : null,
        PluginsCanStart = updates.Plugins is { HasCanStart: true } ? updates.Plugins.CanStart : null,
        PluginsCanClose = updates.Plugins is { HasCanClose: true } ? updates.Plugins.CanClose : null,
        AudioAccess = Access(updates.Media?.Audio),
        VideoAccess = Access(updates.Media?.Video),
        ScreenshareAccess = Access(updates.Media?.Screenshare),
        ChatPublic = updates.Chat?.Public is { } open
            ? new ChatScopePatch(open.HasCanSend ? open.CanSend : null, null, open.HasText ? open.Text : null, open.HasFiles ? open.Files : null)
            : null,
        ChatPrivate = updates.Chat?.Private is { } closed
            ? new ChatScopePatch(closed.HasCanSend ? closed.CanSend : null, closed.HasCanReceive ? closed.CanReceive : null, closed.HasText ? closed.Text : null,
                closed.HasFiles ? closed.Files : null)
            : null,
    };

    /// <summary>The SDK's patch for what the room changed (each field the change sets, and no other).</summary>
    public static PresetUpdates Updates(PermissionPatch patch)
    {
        var updates = new PresetUpdates();
        Set(patch.CanRecord, v => updates.CanRecord = v);
        Set(patch.CanLivestream, v => updates.CanLivestream = v);
        Set(patch.KickParticipant, v => updates.KickParticipant = v);
        Set(patch.PinParticipant, v => updates.PinParticipant = v);
        Set(patch.AcceptWaitingRequests, v => updates.AcceptWaitingRequests = v);
        Set(patch.AcceptStageRequests, v => updates.CanAcceptProductionRequests = v);
        Set(patch.CanSpotlight, v => updates.CanSpotlight = v);
        Set(patch.DisableParticipantAudio, v => updates.DisableParticipantAudio = v);
        Set(patch.DisableParticipantVideo, v => updates.DisableParticipantVideo = v);
        Set(patch.DisableParticipantScreensharing, v => updates.DisableParticipantScreensharing = v);
        Set(patch.TranscriptionEnabled, v => updates.TranscriptionEnabled = v);
        Set(patch.CanChangeParticipantPermissions, v => updates.CanChangeParticipantPermissions = v);
        if (patch.PollsCanCreate is not null || patch.PollsCanVote is not null || patch.PollsCanView is not null)
        {
            updates.Polls = new PollsPermissionUpdate();
            Set(patch.PollsCanCreate, v => updates.Polls.CanCreate = v);
            Set(patch.PollsCanVote, v => updates.Polls.CanVote = v);
            Set(patch.PollsCanView, v => updates.Polls.CanView = v);
        }

        if (patch.PluginsCanStart is not null || patch.PluginsCanClose is not null)
        {
            updates.Plugins = new PluginsPermissionsUpdate();
            Set(patch.PluginsCanStart, v => updates.Plugins.CanStart = v);
            Set(patch.PluginsCanClose, v => updates.Plugins.CanClose = v);
        }

        if (patch.ChatPublic is not null || patch.ChatPrivate is not null)
        {
            updates.Chat = new ChatPermissionUpdate();
            if (patch.ChatPublic is { } open)
            {
                updates.Chat.Public = new PublicChatPermission();
                Set(open.CanSend, v => updates.Chat.Public.CanSend = v);
                Set(open.Text, v => updates.Chat.Public.Text = v);
                Set(open.Files, v => updates.Chat.Public.Files = v);
            }

            if (patch.ChatPrivate is { } closed)
            {
                updates.Chat.Private = new PrivateChatPermission();
                Set(closed.CanSend, v => updates.Chat.Private.CanSend = v);
                Set(closed.CanReceive, v => updates.Chat.Private.CanReceive = v);
                Set(closed.Text, v => updates.Chat.Private.Text = v);
                Set(closed.Files, v => updates.Chat.Private.Files = v);
            }
        }

        if (patch.AudioAccess is not null || patch.VideoAccess is not null || patch.ScreenshareAccess is not null)
        {
            updates.Media = new MediaPermissionUpdate { Audio = Stream(patch.AudioAccess), Video = Stream(patch.VideoAccess), Screenshare = Stream(patch.ScreenshareAccess) };
        }

        return updates;
    }

    private static PresetAccess? Access(StreamPermission? stream) => stream is { HasCanProduce: true } ? stream.CanProduce switch
    {
        StreamPermissionType.Allowed => PresetAccess.Allowed,
        StreamPermissionType.NotAllowed => PresetAccess.NotAllowed,
        StreamPermissionType.CanRequest => PresetAccess.CanRequest,
        _ => null, // NONE: the SDK changes nothing for it either
    } : null;

    private static StreamPermission? Stream(PresetAccess? access) => access switch
    {
        PresetAccess.Allowed => new StreamPermission { CanProduce = StreamPermissionType.Allowed },
        PresetAccess.NotAllowed => new StreamPermission { CanProduce = StreamPermissionType.NotAllowed },
        PresetAccess.CanRequest => new StreamPermission { CanProduce = StreamPermissionType.CanRequest },
        _ => null,
    };

    private static void Set(bool? value, Action<bool> set)
    {
        if (value is { } flag)
        {
            set(flag);
        }
    }
}
