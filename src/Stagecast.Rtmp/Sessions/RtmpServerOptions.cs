using System.ComponentModel.DataAnnotations;

namespace Stagecast.Rtmp.Sessions;

public sealed class RtmpServerOptions
{
    /// <summary>The application name encoders connect to: rtmp://host:port/{App}/{stream_key}.</summary>
    [Required]
    public string App { get; set; } = "live";

    /// <summary>Chunk size for what the server sends.</summary>
    [Range(128, 65536)]
    public int OutChunkSize { get; set; } = 4096;

    /// <summary>Window acknowledgement size and peer bandwidth announced to clients.</summary>
    [Range(4096, int.MaxValue)]
    public int WindowAcknowledgementSize { get; set; } = 2_500_000;

    /// <summary>
    /// A client must complete the handshake, <c>connect</c> and <c>publish</c> within this long of connecting, however
    /// it trickles its bytes; one that has not is disconnected.
    /// </summary>
    public TimeSpan SetupDeadline { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>RTMP connections at once, and from one client address.</summary>
    [Range(1, int.MaxValue)]
    public int MaxConnections { get; set; } = 1000;

    [Range(1, int.MaxValue)]
    public int MaxConnectionsPerAddress { get; set; } = 50;

    /// <summary>Bytes of incomplete messages buffered across all connections; beyond it, new connections are refused.</summary>
    [Range(1024 * 1024, long.MaxValue)]
    public long MaxBufferedBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Bytes of incomplete messages one connection may buffer before its publish is accepted (commands are small).</summary>
    [Range(64 * 1024, long.MaxValue)]
    public long MaxBufferedBytesBeforePublish { get; set; } = 256 * 1024;

    /// <summary>A connection that sends nothing for this long is closed (its publisher counts as dropped).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
