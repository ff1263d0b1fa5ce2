using System.Buffers;
using Stagecast.Media.Flv;
using Stagecast.Rtmp.Chunking;
using Stagecast.Rtmp.Messages;

namespace Stagecast.Bench;

/// <summary>
/// A pre-encoded FLV clip turned into RTMP chunk bytes once per loop of the clip, shared by every publisher: a
/// publisher then costs little more than socket writes, so the load generator measures the server, not itself.
/// Loop k carries timestamps shifted by k clip lengths; each loop starts with full (type 0) chunk headers.
/// </summary>
public sealed class ChunkedClip
{
    public const int ChunkSize = 4096;
    public const uint MessageStreamId = 1;
    private readonly List<(FlvTagType Type, uint Timestamp, byte[] Body)> _tags;
    private readonly Dictionary<int, Loop> _loops = [];

    private ChunkedClip(List<(FlvTagType, uint, byte[])> tags, uint loopDurationMs)
    {
        _tags = tags;
        LoopDurationMs = loopDurationMs;
    }

    public uint LoopDurationMs { get; }

    public int TagCount => _tags.Count;

    /// <summary>Bits per second of the clip's media.</summary>
    public double Bitrate => _tags.Sum(t => (double)t.Body.Length) * 8 / (LoopDurationMs / 1000.0);

    public FlvTagType TypeOf(int tag) => _tags[tag].Type;

    public static ChunkedClip Load(string flvFile)
    {
        var buffer = new ReadOnlySequence<byte>(File.ReadAllBytes(flvFile));
        FlvFileReader.TryReadHeader(ref buffer);
        var tags = new List<(FlvTagType, uint, byte[])>();
        while (FlvFileReader.TryReadTag(ref buffer, out var tag))
        {
            tags.Add((tag.Type, tag.Timestamp, tag.Data.ToArray()));
        }

        uint lastVideo = tags.Where(t => t.Item1 == FlvTagType.Video).Max(t => t.Item2);
        uint frame = (uint)Math.Round(lastVideo / (double)(tags.Count(t => t.Item1 == FlvTagType.Video) - 1));
        return new ChunkedClip(tags, lastVideo + frame);
    }

    /// <summary>The chunk bytes of loop <paramref name="index"/>, and for each tag its timestamp and end offset.</summary>
    public Loop LoopAt(int index)
    {
        lock (_loops)
        {
            if (_loops.TryGetValue(index, out var loop))
            {
                return loop;
            }

            var writer = new ChunkWriter { ChunkSize = ChunkSize };
            var output = new ArrayBufferWriter<byte>(4 * 1024 * 1024);
            var timestamps = new long[_tags.Count];
            var ends = new int[_tags.Count];
            long shift = (long)index * LoopDurationMs;
            for (int i = 0; i < _tags.Count; i++)
            {
                var (type, timestamp, body) = _tags[i];
                timestamps[i] = timestamp + shift;
                if (type != FlvTagType.Script || index == 0)
                {
                    var (chunkStream, messageType) = type switch
                    {
                        FlvTagType.Video => (ChunkStreams.Video, RtmpMessageType.Video),
                        FlvTagType.Audio => (ChunkStreams.Audio, RtmpMessageType.Audio),
                        _ => (ChunkStreams.Data, RtmpMessageType.DataAmf0),
                    };
                    writer.Write(output, chunkStream, (uint)timestamps[i], messageType, MessageStreamId, body);
                }

                ends[i] = output.WrittenCount;
            }

            loop = new Loop(output.WrittenMemory.ToArray(), timestamps, ends);
            _loops[index] = loop;
            return loop;
        }
    }

    public sealed record Loop(byte[] Bytes, long[] Timestamps, int[] Ends);
}
