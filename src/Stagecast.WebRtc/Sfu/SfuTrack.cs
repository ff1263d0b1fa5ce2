using Stagecast.Media.Rtp;
using Stagecast.WebRtc.Rtcp;
using Stagecast.WebRtc.Sdp;

namespace Stagecast.WebRtc.Sfu;

/// <summary>
/// One track a meeting publisher sends: its codec, what arrived and what was lost on the way in, whether the client
/// muted it, and the round-trip fields of its last sender report. Used under the publisher's lock.
/// </summary>
public sealed class SfuTrack(bool video, RtpCodec codec, TimeProvider time)
{
    private long _lastSenderReportAt;

    public bool IsVideo { get; } = video;

    public RtpCodec Codec { get; } = codec;

    /// <summary>The simulcast layer (RFC 8851 RID) it is, or null for a track sent without simulcast.</summary>
    public string? Rid { get; internal set; }

    public LossTracker Loss { get; } = new(time);

    public uint Ssrc { get; private set; }

    public long Packets { get; private set; }

    public long Bytes { get; private set; }

    /// <summary>When its first packet arrived; null until then.</summary>
    public DateTimeOffset? StartedAt { get; private set; }

    /// <summary>The client said it muted this track: its packets are not forwarded.</summary>
    public bool Muted { get; set; }

    /// <summary>Media flows and is forwarded: a packet arrived and the track is not muted.</summary>
    public bool Forwarding => StartedAt is not null && !Muted;

    /// <summary>The middle 32 bits of the last sender report's NTP time (RFC 3550 6.4.1 LSR), or 0.</summary>
    public uint LastSenderReport { get; private set; }

    /// <summary>Counts a packet; true when it is the track's first.</summary>
    public bool Count(ReadOnlySpan<byte> packet)
    {
        Ssrc = RtpHeader.Ssrc(packet);
        Packets++;
        Bytes += packet.Length;
        Loss.Add(RtpHeader.SequenceNumber(packet));
        if (StartedAt is not null)
        {
            return false;
        }

        StartedAt = time.GetUtcNow();
        return true;
    }

    /// <summary>Whether a video packet begins a keyframe.</summary>
    public bool StartsKeyframe(ReadOnlySpan<byte> packet) =>
        IsVideo && RtpHeader.TryGetLength(packet, out int header) && header < packet.Length && Codec.StartsKeyframe(packet[header..]);

    public void SenderReported(ulong ntpTime)
    {
        LastSenderReport = (uint)(ntpTime >> 16);
        _lastSenderReportAt = time.GetTimestamp();
    }

    /// <summary>This track's block of our receiver report, with the delay since its last sender report in 1/65536 s.</summary>
    public ReceptionReport Report()
    {
        uint delay = LastSenderReport == 0 ? 0 : (uint)Math.Min(uint.MaxValue, time.GetElapsedTime(_lastSenderReportAt).TotalSeconds * 65536);
        return Loss.Report(Ssrc, LastSenderReport, delay);
    }
}
