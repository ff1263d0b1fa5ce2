using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Hosting;

public sealed class AccountingOptions
{
    /// <summary>How often the figures of live sessions are written; a crash loses at most this much accounting.</summary>
    [Duration]
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(5);
}
