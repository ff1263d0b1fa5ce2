using Stagecast.Streaming.Logging;

namespace Stagecast.Server.Hosting.Security;

/// <summary>
/// The one log of refused requests and connections on the HTTP side (credentials, connection caps): at most 20
/// lines a minute, whoever floods it; the lines left out are counted and the next line that passes says how many.
/// A reason may quote what the client sent, so it is escaped (<see cref="LogText"/>).
/// </summary>
public sealed partial class RefusalLog(TimeProvider time, ILogger<RefusalLog> logger)
{
    private readonly LogLimiter _limiter = new(time);

    public void Refused(string what, string address, string reason)
    {
        if (_limiter.TryLog(out long suppressed))
        {
            Log(logger, what, address, LogText.Escape(reason), suppressed);
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Refused {What} from {Address}: {Reason} ({Suppressed} similar lines left out before this one)")]
    private static partial void Log(ILogger logger, string what, string address, string reason, long suppressed);
}
