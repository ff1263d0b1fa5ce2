using Stagecast.Media.Rtp;
using Stagecast.Testing.WebRtc;
using Stagecast.WebRtc.Rtcp;

namespace Stagecast.WebRtc.Tests;

/// <summary>What a client received, decrypted and kept in arrival order: its media packets by kind, and the server's RTCP.</summary>
public sealed class ReceivedPackets
{
    private readonly List<byte[]> _video = [];
    private readonly List<byte[]> _audio = [];
    private readonly List<byte[]> _rtcp = [];

    public ReceivedPackets(WebRtcClient client)
    {
        client.RtpReceived = packet => Keep(RtpHeader.PayloadType(packet) == WhipClient.VideoPayloadType ? _video : _audio, packet);
        client.RtcpReceived = packet => Keep(_rtcp, packet);
    }

    public IReadOnlyList<byte[]> Video => Snapshot(_video);

    public IReadOnlyList<byte[]> Audio => Snapshot(_audio);

    public int Plis => Snapshot(_rtcp).Sum(compound => Feedback(compound).Count(p => p.Pli));

    /// <summary>Each transport-wide feedback received: its first sequence number and which packets from it arrived.</summary>
    public IReadOnlyList<(ushort Base, bool[] Arrived)> TransportFeedback
    {
        get
        {
            var found = new List<(ushort, bool[])>();
            foreach (byte[] compound in Snapshot(_rtcp))
            {
                var reader = new RtcpReader(compound);
                var arrivals = new long?[Rtcp.TransportFeedback.MaxPackets];
                while (reader.TryRead(out var packet))
                {
                    if (packet.Type == RtcpWriter.TransportFeedbackType && packet.Format == Rtcp.TransportFeedback.Format
                        && Rtcp.TransportFeedback.TryRead(packet.Body, out ushort first, arrivals, out int count))
                    {
                        found.Add((first, [.. arrivals[..count].Select(a => a is not null)]));
                    }
                }
            }

            return found;
        }
    }

    /// <summary>Sequence numbers asked for again, in the order asked.</summary>
    public IReadOnlyList<ushort> Nacked => [.. Snapshot(_rtcp).SelectMany(compound => Feedback(compound).SelectMany(p => p.Nacked))];

    public static IReadOnlyList<int> Tags(IEnumerable<byte[]> packets) => [.. packets.Select(p => TestRtp.Tag(p))];

    private static List<(bool Pli, ushort[] Nacked)> Feedback(byte[] compound)
    {
        var found = new List<(bool, ushort[])>();
        var reader = new RtcpReader(compound);
        Span<ushort> lost = stackalloc ushort[128];
        while (reader.TryRead(out var packet))
        {
            found.Add((packet.IsPli, packet.IsNack ? lost[..packet.NackedSequences(lost)].ToArray() : []));
        }

        return found;
    }

    private static void Keep(List<byte[]> list, ReadOnlySpan<byte> packet)
    {
        lock (list)
        {
            list.Add(packet.ToArray());
        }
    }

    private static List<byte[]> Snapshot(List<byte[]> list)
    {
        lock (list)
        {
            return [.. list];
        }
    }
}
