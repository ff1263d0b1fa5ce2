using Stagecast.WebRtc.Rtp;

namespace Stagecast.WebRtc.Rtcp;

/// <summary>
/// Answers a receiver's generic NACKs (RFC 4585 section 6.2.1) for one track: every lost packet still in the send
/// history goes out again, on the track's retransmission stream when the receiver took one (<paramref name="rtx"/>),
/// otherwise exactly as it was sent; packets no longer held are left lost.
/// </summary>
public sealed class NackResponder(SendHistory history, uint mediaSsrc, RetransmissionStream? rtx = null)
{
    private readonly byte[] _packet = new byte[1500 + RetransmissionStream.Overhead];

    /// <summary>Packets sent again so far.</summary>
    public long Retransmitted { get; private set; }

    /// <summary>Handles one feedback packet; returns how many packets were sent again (0 for one not about this track).</summary>
    public int Respond(RtcpPacket feedback, PacketSender send)
    {
        if (!feedback.IsNack || feedback.MediaSsrc != mediaSsrc)
        {
            return 0;
        }

        Span<ushort> lost = stackalloc ushort[128];
        int count = feedback.NackedSequences(lost);
        int sent = 0;
        lock (_packet)
        {
            foreach (ushort sequence in lost[..count])
            {
                int length = history.CopyTo(sequence, _packet);
                if (rtx is { Enabled: true } && length > 0)
                {
                    length = rtx.Wrap(_packet, length);
                }

                if (length > 0)
                {
                    send(_packet.AsSpan(0, length));
                    sent++;
                }
            }

            Retransmitted += sent;
        }

        return sent;
    }
}
