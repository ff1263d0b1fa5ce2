namespace Stagecast.Server.Features.Presets;

/// <summary>
/// A change to a peer's permissions for the rest of its time in the meeting (a host's RealtimeKit
/// <c>participants.updatePermissions</c>): each field set replaces what its preset says, the others stay as the preset
/// has them (<see cref="PresetPermissions.With"/>). Only the permissions Stagecast enforces are here; its preset is not
/// changed, and a later join starts from the preset again.
/// </summary>
public sealed record PermissionPatch
{
    public bool? CanRecord { get; init; }

    public bool? CanLivestream { get; init; }

    public bool? KickParticipant { get; init; }

    public bool? PinParticipant { get; init; }

    public bool? AcceptWaitingRequests { get; init; }

    public bool? AcceptStageRequests { get; init; }

    public bool? CanSpotlight { get; init; }

    public bool? DisableParticipantAudio { get; init; }

    public bool? DisableParticipantVideo { get; init; }

    public bool? DisableParticipantScreensharing { get; init; }

    public bool? TranscriptionEnabled { get; init; }

    public bool? CanChangeParticipantPermissions { get; init; }

    public bool? PollsCanCreate { get; init; }

    public bool? PollsCanVote { get; init; }

    public bool? PollsCanView { get; init; }

    public bool? PluginsCanStart { get; init; }

    public bool? PluginsCanClose { get; init; }

    public PresetAccess? AudioAccess { get; init; }

    public PresetAccess? VideoAccess { get; init; }

    public PresetAccess? ScreenshareAccess { get; init; }

    /// <summary><c>chat.public</c>: its <c>can_send</c>, <c>text</c>, <c>files</c> (CanReceive unused).</summary>
    public ChatScopePatch? ChatPublic { get; init; }

    public ChatScopePatch? ChatPrivate { get; init; }
}

/// <summary>A change to one chat scope: each flag set replaces the scope's.</summary>
public sealed record ChatScopePatch(bool? CanSend, bool? CanReceive, bool? Text, bool? Files)
{
    public ChatScope Applied(ChatScope scope) => new(CanSend ?? scope.CanSend, CanReceive ?? scope.CanReceive, Text ?? scope.Text, Files ?? scope.Files);
}
