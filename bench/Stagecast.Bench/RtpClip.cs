using System.Buffers;
using Stagecast.Media.Codecs.H264;
using Stagecast.Media.Flv;

namespace Stagecast.Bench;

/// <summary>
/// A pre-encoded FLV clip (H.264 without B-frames) as the RTP payloads a WebRTC encoder would send: each video frame
/// packetized once (RFC 6184, SPS and PPS before keyframes), plus an Opus-sized audio payload every 20 ms. Publishers
/// share it and add their own headers, so a publisher costs a header and an encryption per packet.
/// </summary>
public sealed class RtpClip
{
    private const int MaxPayload = 1200;

    /// <summary>A steady 32 kbit/s: 80 bytes every 20 ms, about what Opus sends for speech.</summary>
    private const int AudioPayloadBytes = 80;

    private RtpClip(List<(uint Ms, List<(byte[] Payload, bool Marker)> Packets)> frames, List<int> keyframes, uint loopMs)
    {
        Frames = frames;
        Keyframes = keyframes;
        LoopMs = loopMs;
        AudioPayload = new byte[AudioPayloadBytes];
        Random.Shared.NextBytes(AudioPayload);
    }

    /// <summary>Each video frame's time in the loop (ms) and its RTP payloads.</summary>
    public List<(uint Ms, List<(byte[] Payload, bool Marker)> Packets)> Frames { get; }

    /// <summary>The indexes in <see cref="Frames"/> of the keyframes, in order.</summary>
    public List<int> Keyframes { get; }

    public uint LoopMs { get; }

    /// <summary>The first keyframe at or after frame <paramref name="index"/>, going round the loop.</summary>
    public int NextKeyframe(int index)
    {
        int at = Keyframes.FindIndex(k => k >= index);
        return Keyframes[Math.Max(at, 0)];
    }

    public byte[] AudioPayload { get; }

    public static RtpClip Load(string flvFile)
    {
        var buffer = new ReadOnlySequence<byte>(File.ReadAllBytes(flvFile));
        FlvFileReader.TryReadHeader(ref buffer);
        AvcDecoderConfigurationRecord? config = null;
        var frames = new List<(uint, List<(byte[], bool)>)>();
        var keyframes = new List<int>();
        while (FlvFileReader.TryReadTag(ref buffer, out var tag))
        {
            if (tag.Type != FlvTagType.Video)
            {
                continue;
            }

            byte[] body = tag.Data.ToArray();
            var packet = FlvVideoTag.Parse(body);
            if (packet.Kind == FlvPacketKind.SequenceStart)
            {
                config = AvcDecoderConfigurationRecord.Parse(body.AsSpan(packet.DataOffset));
            }
            else if (packet.Kind == FlvPacketKind.CodedFrames && config is not null)
            {
                var payloads = new List<(byte[], bool)>();
                H264RtpPacketizer.Packetize(body.AsSpan(packet.DataOffset), config.NalLengthSize, MaxPayload, config.SequenceParameterSets[0],
                    config.PictureParameterSets[0], packet.IsKeyframe, (payload, marker) => payloads.Add((payload.ToArray(), marker)));
                if (packet.IsKeyframe)
                {
                    keyframes.Add(frames.Count);
                }

                frames.Add((tag.Timestamp, payloads));
            }
        }

        uint frame = frames.Count > 1 ? frames[1].Item1 - frames[0].Item1 : 33;
        return new RtpClip(frames, keyframes, frames[^1].Item1 + frame);
    }
}
