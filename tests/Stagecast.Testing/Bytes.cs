using System.Buffers;

namespace Stagecast.Testing;

public static class Bytes
{
    /// <summary>Splits data into a sequence of one-byte segments, to feed parsers the worst way.</summary>
    public static ReadOnlySequence<byte> Fragmented(ReadOnlySpan<byte> data, int segmentSize = 1)
    {
        if (data.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        Segment? first = null;
        Segment? last = null;
        for (int offset = 0; offset < data.Length; offset += segmentSize)
        {
            var chunk = data.Slice(offset, Math.Min(segmentSize, data.Length - offset)).ToArray();
            var segment = new Segment(chunk, last?.RunningIndex + last?.Memory.Length ?? 0);
            if (last is null)
            {
                first = segment;
            }
            else
            {
                last.SetNext(segment);
            }

            last = segment;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] data, long runningIndex)
        {
            Memory = data;
            RunningIndex = runningIndex;
        }

        public void SetNext(Segment next) => Next = next;
    }
}
