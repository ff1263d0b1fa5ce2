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

public static class StageStatuses
{
    /// <summary>RealtimeKit's name of a stage status (its <c>stage_type</c>), as the REST API and the JSON channel write it.</summary>
    public static string Name(this StageStatus status) => status switch
    {
        StageStatus.OnStage => "ON_STAGE",
        StageStatus.Requested => "REQUESTED",
        StageStatus.Approved => "APPROVED",
        _ => "OFF_STAGE",
    };
}
