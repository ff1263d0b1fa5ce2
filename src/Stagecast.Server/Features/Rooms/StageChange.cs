namespace Stagecast.Server.Features.Rooms;

/// <summary>What moved a peer on or off the stage (<see cref="StageChanged"/>).</summary>
public enum StageChange
{
    /// <summary>It asked to join (now <see cref="StageStatus.Requested"/>).</summary>
    Requested,

    /// <summary>It withdrew its request (now off stage).</summary>
    Cancelled,

    /// <summary>A host granted its request or invited it (now <see cref="StageStatus.Approved"/>).</summary>
    Granted,

    /// <summary>A host turned its request (or invitation) down (now off stage).</summary>
    Denied,

    /// <summary>It joined the stage.</summary>
    Joined,

    /// <summary>It left the stage, or declined an invitation (now off stage).</summary>
    Left,

    /// <summary>A host sent it off the stage (now off stage).</summary>
    Kicked,
}
