using System.Buffers.Binary;
using Stagecast.Media.Codecs;

namespace Stagecast.Media.Flv;

/// <summary>
/// Parses the header of an FLV AUDIODATA body (FLV 10.1 E.4.2; Enhanced RTMP v2 ExAudioTagHeader).
/// <code>
/// legacy:   4 SoundFormat (10 = AAC) | 2 rate | 1 size | 1 type | u8 AACPacketType | data
/// enhanced: 4 SoundFormat = 9 | 4 AudioPacketType | FourCC | data
/// </code>
/// </summary>
public static class FlvAudioTag
{
    public const int SoundFormatAac = 10;
    public const int SoundFormatExHeader = 9;

    public static FlvAudioPacket Parse(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            ThrowHelper.Malformed("empty audio tag");
        }

        int soundFormat = body[0] >> 4;
        if (soundFormat == SoundFormatAac)
        {
            if (body.Length < 2)
            {
                ThrowHelper.Malformed("AAC audio tag of 1 byte, at least 2 needed");
            }

            var kind = body[1] switch
            {
                0 => FlvPacketKind.SequenceStart,
                1 => FlvPacketKind.CodedFrames,
                _ => ThrowHelper.Malformed<FlvPacketKind>($"AACPacketType {body[1]}"),
            };
            return new FlvAudioPacket(AudioCodec.Aac, kind, 2, soundFormat);
        }

        if (soundFormat == SoundFormatExHeader)
        {
            if (body.Length < 5)
            {
                ThrowHelper.Malformed($"enhanced audio tag of {body.Length} bytes, at least 5 needed");
            }

            uint fourCc = BinaryPrimitives.ReadUInt32BigEndian(body[1..]);
            int packetType = body[0] & 0x0F;
            if (fourCc == FourCc.Mp4a && packetType is 0 or 1 or 2)
            {
                var kind = packetType switch
                {
                    0 => FlvPacketKind.SequenceStart,
                    1 => FlvPacketKind.CodedFrames,
                    _ => FlvPacketKind.SequenceEnd,
                };
                return new FlvAudioPacket(AudioCodec.Aac, kind, 5, soundFormat);
            }
        }

        return new FlvAudioPacket(default, FlvPacketKind.Unsupported, 0, soundFormat);
    }
}
