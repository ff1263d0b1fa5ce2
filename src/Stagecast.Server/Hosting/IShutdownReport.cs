namespace Stagecast.Server.Hosting;

/// <summary>
/// What a feature has in progress, for the one line the server logs as it starts shutting down, before anything is
/// ended ("ending 2 live streams, 1 meeting with 3 participants").
/// </summary>
public interface IShutdownReport
{
    /// <summary>What is in progress, e.g. "2 live streams", or null for nothing.</summary>
    string? InProgress();
}
