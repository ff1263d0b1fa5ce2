using Microsoft.Extensions.Logging;
using Stagecast.Streaming;
using Stagecast.Streaming.MpegTs;

namespace Stagecast.Srt.Sessions;

/// <summary>
/// What a connection reaches of the server that runs it, as a Kestrel connection reaches its service context and
/// connection manager: the hub, the clock, the log, its deadlines, and the connection loop, which runs work posted from
/// other threads and closes connections. The SRT server implements it; a session never sees the server.
/// </summary>
internal interface ISrtConnectionHost
{
    StreamHub Hub { get; }

    TimeProvider Time { get; }

    ILogger Logger { get; }

    IOpusTranscoding? Opus { get; }

    /// <summary>A publisher must deliver its first video or audio frame within this long of connecting.</summary>
    TimeSpan FirstMediaDeadline { get; }

    /// <summary>A publisher that sends nothing for this long is closed (its stream waits for it to reconnect).</summary>
    TimeSpan IdleTimeout { get; }

    /// <summary>Runs <paramref name="work"/> on the connection loop (within a tenth of a second).</summary>
    void Post(Action work);

    /// <summary>Closes a connection that broke the rules (malformed media, a deadline): logged as a warning, rate-limited.</summary>
    void CloseBroken(SrtConnection connection, string reason);

    /// <summary>Closes a connection refused after it was accepted (its key was checked late, or the stream is taken).</summary>
    void Refuse(SrtConnection connection, string reason);

    /// <summary>Closes a connection on the loop; its publisher, if any, leaves its stream waiting for a reconnect.</summary>
    void CloseQuietly(SrtConnection connection, string reason);
}
