using System.Buffers;
using Stagecast.Rtmp.Chunking;
using Stagecast.Rtmp.Ingest;
using Stagecast.Rtmp.Messages;
using Stagecast.Streaming;

namespace Stagecast.Testing;

/// <summary>
/// What an encoder sends once publishing has started, as RTMP chunks (chunk size 4096, as ffmpeg and OBS set):
/// AVC and AAC sequence headers, then 30 fps video (a keyframe every second) interleaved with 48 kHz AAC. Used to
/// measure the ingest path without a socket: chunk parsing, FLV/AVC parsing, the hub and its readers.
/// </summary>
public sealed class IngestWorkload
{
    public const int ChunkSize = 4096;
    private const uint StreamId = 1;

    private IngestWorkload(byte[] header, byte[] media, int mediaMessages, uint durationMs)
    {
        Header = header;
        Media = media;
        MediaMessages = mediaMessages;
        DurationMs = durationMs;
    }

    /// <summary>The sequence headers.</summary>
    public byte[] Header { get; }

    /// <summary>
    /// The media messages, chunked; each chunk stream starts with a full header, so the bytes can be fed again
    /// with a timestamp offset of <see cref="DurationMs"/> per repetition to continue the timeline.
    /// </summary>
    public byte[] Media { get; }

    public int MediaMessages { get; }

    public uint DurationMs { get; }

    /// <param name="keyframeBytes">and <paramref name="frameBytes"/>: NAL sizes (1.5 Mbit/s with the defaults).</param>
    public static IngestWorkload Create(double seconds, int keyframeBytes = 40_000, int frameBytes = 5_000)
    {
        var writer = new ChunkWriter { ChunkSize = ChunkSize };
        var header = new ArrayBufferWriter<byte>();
        writer.Write(header, ChunkStreams.Video, 0, RtmpMessageType.Video, StreamId, FlvBodies.AvcSequenceHeader(GoldenVectors.AvcRecord720p));
        writer.Write(header, ChunkStreams.Audio, 0, RtmpMessageType.Audio, StreamId, FlvBodies.AacSequenceHeader(GoldenVectors.AacLc48kStereo));

        var media = new ArrayBufferWriter<byte>();
        writer = new ChunkWriter { ChunkSize = ChunkSize };
        byte[] keyframe = FlvBodies.AvcFrame(true, 0, FlvBodies.Nal(keyframeBytes));
        byte[] frame = FlvBodies.AvcFrame(false, 0, FlvBodies.Nal(frameBytes));
        byte[] audio = FlvBodies.AacFrame(new byte[380]);
        int videoFrames = (int)Math.Round(seconds * 30);
        int audioFrames = (int)(seconds * 48000 / 1024);
        int v = 0, a = 0;
        while (v < videoFrames || a < audioFrames)
        {
            uint videoMs = (uint)Math.Round(v * 1000 / 30.0);
            uint audioMs = (uint)Math.Round(a * 1024 * 1000 / 48000.0);
            if (v < videoFrames && (a >= audioFrames || videoMs <= audioMs))
            {
                writer.Write(media, ChunkStreams.Video, videoMs, RtmpMessageType.Video, StreamId, v % 30 == 0 ? keyframe : frame);
                v++;
            }
            else
            {
                writer.Write(media, ChunkStreams.Audio, audioMs, RtmpMessageType.Audio, StreamId, audio);
                a++;
            }
        }

        return new IngestWorkload(header.WrittenSpan.ToArray(), media.WrittenSpan.ToArray(), videoFrames + audioFrames, (uint)Math.Round(seconds * 1000));
    }

    /// <summary>Parses chunks into messages and hands audio and video to the publisher, as an RTMP session does.</summary>
    public sealed class Feeder(Publisher publisher) : IDisposable
    {
        private readonly ChunkReader _chunks = SetUp(new ChunkReader());
        private readonly FlvIngest _ingest = new();
        /// <summary>Feeds the bytes and returns how many messages they held; timestamps shifted by <paramref name="offsetMs"/>.</summary>
        public int Feed(byte[] bytes, uint offsetMs = 0)
        {
            var buffer = new ReadOnlySequence<byte>(bytes);
            int count = 0;
            while (_chunks.TryReadMessage(ref buffer, out var message))
            {
                count++;
                bool taken = message.Type switch
                {
                    RtmpMessageType.Video => _ingest.Video(publisher, message.Timestamp + offsetMs, message.Buffer, message.Length),
                    RtmpMessageType.Audio => _ingest.Audio(publisher, message.Timestamp + offsetMs, message.Buffer, message.Length),
                    _ => false,
                };
                if (!taken)
                {
                    message.Return();
                }
            }

            return count;
        }

        public void Dispose() => _chunks.Dispose();

        private static ChunkReader SetUp(ChunkReader reader)
        {
            reader.SetChunkSize(ChunkSize);
            return reader;
        }
    }
}
