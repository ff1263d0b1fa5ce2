using System.Buffers;

namespace Stagecast.Media.Flv;

/// <summary>One tag of an FLV file; <see cref="Data"/> slices the reader's buffer without copying.</summary>
public readonly record struct FlvTag(FlvTagType Type, uint Timestamp, ReadOnlySequence<byte> Data);
