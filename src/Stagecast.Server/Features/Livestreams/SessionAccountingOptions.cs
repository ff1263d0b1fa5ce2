namespace Stagecast.Server.Features.Livestreams;

public sealed class SessionAccountingOptions
{
    /// <summary>How often the figures of live sessions are written; a crash loses at most this much accounting.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(5);
}
