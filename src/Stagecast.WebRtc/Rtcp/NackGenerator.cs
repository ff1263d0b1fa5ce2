using Stagecast.Streaming.Rtp;

namespace Stagecast.WebRtc.Rtcp;

/// <summary>
/// Asks a sender again for what a track's jitter buffer is missing (generic NACK, RFC 4585 section 6.2.1), at most
/// 64 sequence numbers per feedback packet. Called at each feedback tick; the jitter buffer decides how long a gap is
/// waited for before it is skipped.
/// </summary>
public sealed class NackGenerator(uint senderSsrc)
{
    public const int MaxPerPacket = 64;

    /// <summary>Sequence numbers NACKed so far.</summary>
    public long Requested { get; private set; }

    /// <summary>Writes a NACK for <paramref name="mediaSsrc"/>'s missing packets into <paramref name="rtcp"/>; 0 when nothing is missing.</summary>
    public int Write(Span<byte> rtcp, uint mediaSsrc, JitterBuffer buffer)
    {
        Span<ushort> missing = stackalloc ushort[MaxPerPacket];
        int lost = buffer.Missing(missing);
        if (lost == 0)
        {
            return 0;
        }

        Requested += lost;
        return RtcpWriter.Nack(rtcp, senderSsrc, mediaSsrc, missing[..lost]);
    }
}
