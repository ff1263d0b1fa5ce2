using Stagecast.Media;

namespace Stagecast.Rtmp;

/// <summary>Bounds on what an RTMP peer may make us hold, each with its reason.</summary>
public static class RtmpLimits
{
    /// <summary>
    /// Largest chunk size a peer may set. The field allows 2^31-1; encoders use 128 to 64 KiB. Payload is consumed
    /// as it arrives, so a large chunk size costs no buffering, but a bound keeps the arithmetic honest.
    /// </summary>
    public const int MaxChunkSize = 16 * 1024 * 1024;

    /// <summary>Largest message accepted (24-bit length on the wire; see <see cref="MediaLimits.MaxMediaMessageSize"/>).</summary>
    public const int MaxMessageSize = MediaLimits.MaxMediaMessageSize;

    /// <summary>Chunk streams one connection may use at once; encoders use four to eight.</summary>
    public const int MaxChunkStreams = 64;

    /// <summary>Bytes of partially received messages one connection may hold across its chunk streams.</summary>
    public const long MaxPendingMessageBytes = 2L * MaxMessageSize;

    /// <summary>Largest AMF command or data message; real ones are under 2 KiB.</summary>
    public const int MaxCommandSize = 64 * 1024;

    /// <summary>Message streams (createStream) per connection; a publisher needs one.</summary>
    public const int MaxMessageStreams = 8;

    /// <summary>Longest stream key or app name accepted.</summary>
    public const int MaxNameLength = 1024;
}
