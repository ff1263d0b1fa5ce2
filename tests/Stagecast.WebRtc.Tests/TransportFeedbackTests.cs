using Microsoft.Extensions.Time.Testing;
using Stagecast.WebRtc.Rtcp;

namespace Stagecast.WebRtc.Tests;

/// <summary>
/// Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01): a golden packet
/// read and written back byte for byte, losses, large and negative deltas both ways, and what a publishing
/// connection's recorder reports from the packets it got, on a manual clock.
/// </summary>
public sealed class TransportFeedbackTests
{
    // Seven packets from sequence 4, each received with a small delta: a run-length chunk (0x2007), deltas of 19, 9, 9,
    // 4, 3, 3 and 4 ms from the reference time 1074030 (x 64 ms), feedback count 1, three bytes of padding.
    private static readonly byte[] Golden = Convert.FromHexString("AFCD0007FA17FA17193DD8BB0004000710636E0120074C242410" + "0C0C1000" + "0003");

    private static readonly long[] GoldenArrivals =
    [
        (1074030 * 64_000L) + 19_000, (1074030 * 64_000L) + 28_000, (1074030 * 64_000L) + 37_000, (1074030 * 64_000L) + 41_000,
        (1074030 * 64_000L) + 44_000, (1074030 * 64_000L) + 47_000, (1074030 * 64_000L) + 51_000,
    ];

    [Fact]
    public void TheDraftsExampleIsReadAndWrittenBackByteForByte()
    {
        var reader = new RtcpReader(Golden);
        Assert.True(reader.TryRead(out var packet));
        Assert.Equal((RtcpWriter.TransportFeedbackType, TransportFeedback.Format), (packet.Type, packet.Format));
        var arrivals = new long?[16];
        Assert.True(TransportFeedback.TryRead(packet.Body, out ushort baseSequence, arrivals, out int count));
        Assert.Equal((4, 7), (baseSequence, count));
        Assert.Equal(GoldenArrivals.Select(a => (long?)a), arrivals[..7]);

        var written = new byte[64];
        Assert.Equal(7, TransportFeedback.Write(written, 0xFA17FA17, 0x193DD8BB, 4, GoldenArrivals, 1, out int length));
        Assert.Equal(Convert.ToHexString(Golden), Convert.ToHexString(written, 0, length));
    }

    [Fact]
    public void LossesLargeAndNegativeDeltasGoBothWays()
    {
        long start = 10_000_000;
        long[] arrivals = [start, start + 1_000, -1, -1, start + 90_000, start + 85_000, -1, start + 86_000, start + 86_250, start + 400_000];
        var written = new byte[1200];
        Assert.Equal(arrivals.Length, TransportFeedback.Write(written, 1, 2, 65534, arrivals, 9, out int length));
        Assert.Equal(0, length % 4);

        var reader = new RtcpReader(written.AsSpan(0, length));
        Assert.True(reader.TryRead(out var packet));
        var read = new long?[arrivals.Length];
        Assert.True(TransportFeedback.TryRead(packet.Body, out ushort baseSequence, read, out int count));
        Assert.Equal((65534, arrivals.Length), (baseSequence, count));
        Assert.Equal(arrivals.Select(a => a < 0 ? (long?)null : a), read); // every time on a 250 µs step here, so exactly

        // A delta past 16 bits (over 8 s) ends the feedback before that packet: the next one reports it.
        long[] gap = [start, start + 9_000_000];
        Assert.Equal(1, TransportFeedback.Write(written, 1, 2, 7, gap, 10, out _));
    }

    [Fact]
    public void TheRecorderReportsWhatArrivedAndWhatWasLostOnceAnIntervalHasPassed()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero));
        var recorder = new TransportFeedbackRecorder(time);
        var feedback = new byte[TransportFeedbackRecorder.MaxFeedbackBytes * 2];
        Assert.Equal(0, recorder.WriteIfDue(feedback, 1, 2)); // nothing yet

        foreach (ushort sequence in new ushort[] { 65533, 65534, 1, 2 }) // 65535 and 0 lost, across the wrap
        {
            recorder.Add(sequence);
            time.Advance(TimeSpan.FromMilliseconds(5));
        }

        int length = recorder.WriteIfDue(feedback, 1, 2);
        var (baseSequence, arrivals) = Read(feedback.AsSpan(0, length));
        Assert.Equal(65533, baseSequence);
        Assert.Equal([true, true, false, false, true, true], arrivals.Select(a => a is not null));
        Assert.Equal([5_000L, 5_000L, 5_000L], Deltas(arrivals)); // 5 ms apart, as they came

        // 0 arrives late, after the feedback that reported it lost; 3 arrives now. Within the interval nothing goes out;
        // after it, 3 alone.
        recorder.Add(0);
        recorder.Add(3);
        Assert.Equal(0, recorder.WriteIfDue(feedback, 1, 2));
        time.Advance(TransportFeedbackRecorder.Interval);
        (baseSequence, arrivals) = Read(feedback.AsSpan(0, recorder.WriteIfDue(feedback, 1, 2)));
        Assert.Equal((3, 1), (baseSequence, arrivals.Count));
    }

    [Fact]
    public void APacketThatWaitedInTheSocketsQueueIsReportedAsArrivingWhenItCame()
    {
        // Two packets arrive together; the receiving thread gets to the second 40 ms later, and knows it waited so long.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 10, 0, 0, TimeSpan.Zero));
        var recorder = new TransportFeedbackRecorder(time);
        recorder.Add(1);
        time.Advance(TimeSpan.FromMilliseconds(40));
        recorder.Add(2, waited: TimeSpan.FromMilliseconds(40));
        recorder.Add(3); // one read as it came
        time.Advance(TransportFeedbackRecorder.Interval);

        var feedback = new byte[TransportFeedbackRecorder.MaxFeedbackBytes];
        var (_, arrivals) = Read(feedback.AsSpan(0, recorder.WriteIfDue(feedback, 1, 2)));
        Assert.Equal([0L, 40_000L], Deltas(arrivals));
    }

    private static (ushort Base, List<long?> Arrivals) Read(ReadOnlySpan<byte> compound)
    {
        var reader = new RtcpReader(compound);
        Assert.True(reader.TryRead(out var packet));
        var arrivals = new long?[TransportFeedback.MaxPackets];
        Assert.True(TransportFeedback.TryRead(packet.Body, out ushort baseSequence, arrivals, out int count));
        return (baseSequence, [.. arrivals[..count]]);
    }

    /// <summary>The time from each received packet to the next received one.</summary>
    private static List<long> Deltas(List<long?> arrivals)
    {
        var received = arrivals.OfType<long>().ToList();
        return [.. received.Zip(received.Skip(1), (a, b) => b - a)];
    }
}
