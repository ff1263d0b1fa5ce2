namespace Stagecast.RealtimeKit;

/// <summary>Upper bounds for what a RealtimeKit client may send, each with the reason for its value.</summary>
public static class RealtimeKitLimits
{
    /// <summary>
    /// Bytes in one binary WebSocket message (a <see cref="Protocol.SocketMessage"/>, payload included). The largest
    /// the SDK sends are SDP offers: about 5 KB for two m-lines and some 2.5 KB per further m-line, and a receive
    /// transport's offer repeats every consumer's m-line, so a 100-track call stays near 250 KB; chat text and plugin
    /// store values are the app's and small. 1 MiB leaves room without letting one peer pin more.
    /// </summary>
    public const int MaxSocketMessageSize = 1024 * 1024;
}
