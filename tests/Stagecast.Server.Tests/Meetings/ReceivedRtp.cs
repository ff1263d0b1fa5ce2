using Stagecast.Media.Rtp;
using Stagecast.Testing.WebRtc;
using Stagecast.WebRtc.Rtcp;

namespace Stagecast.Server.Tests.Meetings;

/// <summary>
/// The media packets a test's WebRTC client received, decrypted, in arrival order: their SSRC, sequence number and
/// timestamp, and
/// for video (payload type <see cref="WhipClient.VideoPayloadType"/>, as the tests' receivers offer it) whether the
/// packet starts a keyframe (<see cref="RtpSender.IsKeyframe"/>); and the PLIs among the RTCP the server sent it.
/// </summary>
public sealed class ReceivedRtp
{
    private readonly List<Packet> _packets = [];
    private int _plis;

    public ReceivedRtp(WebRtcClient client)
    {
        client.RtpReceived = packet =>
        {
            bool video = RtpHeader.PayloadType(packet) == WhipClient.VideoPayloadType;
            var received = new Packet(RtpHeader.Ssrc(packet), RtpHeader.SequenceNumber(packet), RtpHeader.Timestamp(packet), video, video && RtpSender.IsKeyframe(packet));
            lock (_packets)
            {
                _packets.Add(received);
            }
        };
        client.RtcpReceived = compound =>
        {
            var reader = new RtcpReader(compound);
            while (reader.TryRead(out var rtcp))
            {
                if (rtcp.IsPli)
                {
                    Interlocked.Increment(ref _plis);
                }
            }
        };
    }

    /// <summary>PLIs the server sent (a publisher asked for a keyframe).</summary>
    public int Plis => Volatile.Read(ref _plis);

    public IReadOnlyList<Packet> All
    {
        get
        {
            lock (_packets)
            {
                return [.. _packets];
            }
        }
    }

    public IReadOnlyList<Packet> Video => [.. All.Where(p => p.Video)];

    public IReadOnlyList<Packet> Audio => [.. All.Where(p => !p.Video)];

    /// <summary>The packets on <paramref name="ssrc"/>.</summary>
    public IReadOnlyList<Packet> On(uint ssrc) => [.. All.Where(p => p.Ssrc == ssrc)];

    /// <summary>The index of the first video packet with <paramref name="timestamp"/> (a picture the test sent), or -1.</summary>
    public int IndexOfVideo(uint timestamp) => Video.ToList().FindIndex(p => p.Timestamp == timestamp);

    public readonly record struct Packet(uint Ssrc, ushort Sequence, uint Timestamp, bool Video, bool Keyframe);
}
