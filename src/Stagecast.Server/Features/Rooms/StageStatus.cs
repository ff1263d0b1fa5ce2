namespace Stagecast.Server.Features.Rooms;

/// <summary>
/// Where a peer stands with the meeting's stage (RealtimeKit's <c>stage_type</c>). Only a peer on the stage produces
/// media; a peer whose preset has no stage (a group call) is on it from entry to exit.
/// </summary>
public enum StageStatus
{
    OnStage,

    /// <summary>It asked to join; a host with <c>accept_stage_requests</c> grants or denies it.</summary>
    Requested,

    /// <summary>A host let it (or invited it) on; it is not on the stage until it joins.</summary>
    Approved,

    OffStage,
}
