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

    /// <summary>A client that has not completed the handshake after this long is disconnected.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A connection that sends nothing for this long is closed (its publisher counts as dropped).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
