using System.Buffers;

namespace Stagecast.Media;

/// <summary>
/// Pieces of memory that belong together (a start code, a frame's NAL unit, a header before its payload) read as one
/// <see cref="ReadOnlySequence{T}"/> without being copied into one buffer first. The segments are kept and reused by the
/// next sequence after <see cref="Clear"/>, so building one allocates nothing once warm. A piece must stay as it is
/// until the sequence has been read.
/// </summary>
public sealed class PieceSequence
{
    private readonly List<Segment> _segments = [];
    private int _count;

    /// <summary>Bytes in every piece added since the last <see cref="Clear"/>.</summary>
    public long Length => _count == 0 ? 0 : _segments[_count - 1].RunningIndex + _segments[_count - 1].Memory.Length;

    /// <summary>The pieces, in the order added.</summary>
    public ReadOnlySequence<byte> Sequence => _count switch
    {
        0 => ReadOnlySequence<byte>.Empty,
        1 => new ReadOnlySequence<byte>(_segments[0].Memory),
        _ => new ReadOnlySequence<byte>(_segments[0], 0, _segments[_count - 1], _segments[_count - 1].Memory.Length),
    };

    public void Clear()
    {
        for (int i = 0; i < _count; i++)
        {
            _segments[i].Set(default, 0); // let go of the pieces
        }

        _count = 0;
    }

    /// <summary>Adds a piece after the others (an empty one adds nothing).</summary>
    public void Add(ReadOnlyMemory<byte> piece)
    {
        if (piece.IsEmpty)
        {
            return;
        }

        long index = Length;
        if (_count == _segments.Count)
        {
            _segments.Add(new Segment());
        }

        var segment = _segments[_count];
        segment.Set(piece, index);
        if (_count > 0)
        {
            _segments[_count - 1].Link(segment);
        }

        _count++;
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public void Set(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
            Next = null;
        }

        public void Link(Segment next) => Next = next;
    }
}
