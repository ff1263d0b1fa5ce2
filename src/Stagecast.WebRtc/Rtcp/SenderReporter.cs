namespace Stagecast.WebRtc.Rtcp;

/// <summary>
/// Sender reports for the tracks a session sends (RFC 3550 section 6.4.1): packets and payload octets are counted as
/// they go, and a report ties an RTP timestamp of a track to wall-clock (NTP) time, which is how a player lines audio
/// up with video.
/// </summary>
public sealed class SenderReporter
{
    private uint _videoPackets;
    private uint _videoOctets;
    private uint _audioPackets;
    private uint _audioOctets;

    public uint VideoPackets => Volatile.Read(ref _videoPackets);

    public uint AudioPackets => Volatile.Read(ref _audioPackets);

    /// <summary>Packets and payload octets sent of one track so far.</summary>
    public (uint Packets, uint Octets) Sent(bool video) => video
        ? (Volatile.Read(ref _videoPackets), Volatile.Read(ref _videoOctets))
        : (Volatile.Read(ref _audioPackets), Volatile.Read(ref _audioOctets));

    /// <summary>Counts one packet sent on a track.</summary>
    public void Count(bool video, int payloadBytes)
    {
        if (video)
        {
            Interlocked.Increment(ref _videoPackets);
            Interlocked.Add(ref _videoOctets, (uint)payloadBytes);
        }
        else
        {
            Interlocked.Increment(ref _audioPackets);
            Interlocked.Add(ref _audioOctets, (uint)payloadBytes);
        }
    }

    /// <summary>A sender report for one track: <paramref name="rtpTimestamp"/> is the track's RTP time at <paramref name="ntpTime"/>.</summary>
    public int Write(Span<byte> rtcp, bool video, uint ssrc, ulong ntpTime, uint rtpTimestamp) =>
        RtcpWriter.SenderReport(rtcp, ssrc, ntpTime, rtpTimestamp, video ? VideoPackets : AudioPackets,
            video ? Volatile.Read(ref _videoOctets) : Volatile.Read(ref _audioOctets));

    /// <summary>A wall-clock time in NTP format (RFC 5905): seconds since 1900 and a 32-bit fraction.</summary>
    public static ulong NtpTime(DateTimeOffset time)
    {
        const long NtpEpochOffsetSeconds = 2208988800; // 1900-01-01 to 1970-01-01
        long ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        ulong seconds = (ulong)((ticks / TimeSpan.TicksPerSecond) + NtpEpochOffsetSeconds);
        ulong fraction = (ulong)((ticks % TimeSpan.TicksPerSecond) * (1L << 32) / TimeSpan.TicksPerSecond);
        return (seconds << 32) | fraction;
    }
}
