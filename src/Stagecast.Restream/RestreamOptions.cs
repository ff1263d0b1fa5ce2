using System.ComponentModel.DataAnnotations;
using System.Net.Security;
using Stagecast.Streaming.Limits;

namespace Stagecast.Restream;

public sealed class RestreamOptions
{
    /// <summary>First wait after a failed or dropped connection; doubles on each failure.</summary>
    [Duration]
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between attempts.</summary>
    [Duration]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Connecting and the publish handshake must finish within this.</summary>
    [Duration]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A destination that accepts no bytes for this long is treated as dead and reconnected.</summary>
    [Duration]
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Media buffered for a destination; when a slow destination fills it, frames are dropped up to the next
    /// keyframe (and counted). About ten seconds of a 2.5 Mbps stream.
    /// </summary>
    [Range(64 * 1024, long.MaxValue)]
    public long MaxQueuedBytes { get; set; } = 4 * 1024 * 1024;

    [Range(16, int.MaxValue)]
    public int MaxQueuedFrames { get; set; } = 1024;

    /// <summary>
    /// Checks rtmps:// server certificates instead of the system trust store (for private destinations with their
    /// own certificate authority). Null: the system decides, as for YouTube or Facebook.
    /// </summary>
    public RemoteCertificateValidationCallback? CertificateValidation { get; set; }
}
