using Stagecast.Media.Rtp;

namespace Stagecast.WebRtc.Rtcp;

/// <summary>
/// What a publishing connection received, by transport-wide sequence number, for the transport-wide feedback it sends
/// the publisher (<see cref="TransportFeedback"/>) every <see cref="Interval"/>: each packet's arrival time, the
/// packets since the last feedback reported as received or lost. A packet that comes after the feedback that reported
/// it lost stays lost (the sender's estimator has moved on). Memory is fixed: a ring of the last
/// <see cref="Window"/> sequence numbers. Not thread-safe: its connection calls it under its lock.
/// </summary>
public sealed class TransportFeedbackRecorder(TimeProvider time)
{
    /// <summary>How often feedback goes out while packets come: often enough for Chrome's estimator (libwebrtc sends it every 50 to 250 ms).</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>The bytes one feedback takes at most: its header, 250 statuses in 36 chunks, 250 large deltas, padding.</summary>
    public const int MaxFeedbackBytes = 20 + (36 * 2) + (TransportFeedback.MaxPackets * 2) + 4;

    /// <summary>Sequence numbers remembered: a second of a fast sender's packets.</summary>
    private const int Window = 4096;

    private readonly long[] _arrivals = new long[Window];
    private readonly long[] _sequences = new long[Window];
    private long _next = -1; // the first sequence number not yet reported
    private long _highest = -1;
    private long _lastSent = long.MinValue;
    private byte _feedbackCount;

    /// <summary>
    /// Records a packet's transport-wide sequence number as arriving now, or <paramref name="waited"/> ago (its time in
    /// the socket's queue, when known).
    /// </summary>
    public void Add(ushort sequence, TimeSpan waited = default)
    {
        long unwrapped = SequenceUnwrapper.Unwrap(_highest, sequence);
        if (_next < 0)
        {
            _next = unwrapped;
        }

        if (unwrapped < _next)
        {
            return; // reported already, as lost
        }

        if (unwrapped - _next >= Window)
        {
            _next = unwrapped - Window + 1; // far behind: what is older than the window is never reported
        }

        int slot = (int)(unwrapped % Window);
        _sequences[slot] = unwrapped;
        _arrivals[slot] = Micros(time.GetTimestamp() - (long)(waited.TotalSeconds * time.TimestampFrequency));
        _highest = Math.Max(_highest, unwrapped);
    }

    /// <summary>
    /// Writes the feedback for what arrived since the last one, when <see cref="Interval"/> has passed and there is
    /// something to report, as one or more feedback packets (each at most <see cref="TransportFeedback.MaxPackets"/>);
    /// returns the bytes written (0: nothing due).
    /// </summary>
    public int WriteIfDue(Span<byte> destination, uint senderSsrc, uint mediaSsrc)
    {
        long now = time.GetTimestamp();
        if (_next < 0 || _next > _highest || (_lastSent != long.MinValue && time.GetElapsedTime(_lastSent, now) < Interval))
        {
            return 0;
        }

        _lastSent = now;
        int written = 0;
        Span<long> arrivals = stackalloc long[TransportFeedback.MaxPackets];
        while (_next <= _highest && destination.Length - written >= MaxFeedbackBytes)
        {
            // A feedback starts at a packet that arrived: lost ones before it are reported by the next one's status.
            while (_next <= _highest && _sequences[(int)(_next % Window)] != _next)
            {
                _next++;
            }

            if (_next > _highest)
            {
                break;
            }

            int count = (int)Math.Min(_highest - _next + 1, TransportFeedback.MaxPackets);
            for (int i = 0; i < count; i++)
            {
                long sequence = _next + i;
                int slot = (int)(sequence % Window);
                arrivals[i] = _sequences[slot] == sequence ? _arrivals[slot] : -1;
            }

            int covered = TransportFeedback.Write(destination[written..], senderSsrc, mediaSsrc, (ushort)_next, arrivals[..count], _feedbackCount++, out int length);
            written += length;
            _next += covered;
        }

        return written;
    }

    private long Micros(long timestamp) => (long)(timestamp * (1_000_000.0 / time.TimestampFrequency));
}
