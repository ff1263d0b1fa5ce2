using System.Buffers.Binary;

namespace Stagecast.Media.MpegTs;

/// <summary>
/// The program map table (2.4.4.8): the program's elementary streams, their stream types and descriptors.
/// <code>
/// 3 reserved 13 PCR_PID | 4 reserved 12 program_info_length | descriptors
/// { u8 stream_type | 3 reserved 13 elementary_PID | 4 reserved 12 ES_info_length | descriptors }*
/// </code>
/// Opus (Opus in MPEG-TS, opus-codec.org) is private PES data with a registration descriptor "Opus" (tag 0x05) and
/// an extension descriptor (tag 0x7F, extension 0x80) giving the channel configuration.
/// </summary>
public static class ProgramMapTable
{
    private const byte RegistrationDescriptor = 0x05;
    private const byte ExtensionDescriptor = 0x7F;
    private const byte OpusAudioDescriptor = 0x80;
    private const int StreamEntryLength = 5;

    public static IReadOnlyList<TsElementaryStream> Parse(ReadOnlySpan<byte> section, out int pcrPid)
    {
        var data = PsiSection.Data(section, out _);
        if (data.Length < 4)
        {
            ThrowHelper.Malformed($"PMT of {data.Length} bytes");
        }

        pcrPid = BinaryPrimitives.ReadUInt16BigEndian(data) & 0x1FFF;
        int programInfoLength = BinaryPrimitives.ReadUInt16BigEndian(data[2..]) & 0x0FFF;
        data = Skip(data, 4 + programInfoLength, "program_info");
        var streams = new List<TsElementaryStream>();
        while (!data.IsEmpty)
        {
            if (data.Length < StreamEntryLength)
            {
                ThrowHelper.Malformed("PMT stream entry truncated");
            }

            byte streamType = data[0];
            int pid = BinaryPrimitives.ReadUInt16BigEndian(data[1..]) & 0x1FFF;
            int infoLength = BinaryPrimitives.ReadUInt16BigEndian(data[3..]) & 0x0FFF;
            var rest = Skip(data, StreamEntryLength + infoLength, "ES_info");
            streams.Add(Describe(streamType, pid, data.Slice(StreamEntryLength, infoLength)));
            data = rest;
        }

        return streams;
    }

    /// <summary>Writes the data of a PMT: the PCR PID, no program descriptors, then each stream (stream type, PID, descriptors).</summary>
    public static int WriteData(Span<byte> destination, int pcrPid, ReadOnlySpan<(byte StreamType, int Pid)> streams)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)(0xE000 | pcrPid));
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], 0xF000);
        int at = 4;
        foreach (var (streamType, pid) in streams)
        {
            destination[at] = streamType;
            BinaryPrimitives.WriteUInt16BigEndian(destination[(at + 1)..], (ushort)(0xE000 | pid));
            BinaryPrimitives.WriteUInt16BigEndian(destination[(at + 3)..], 0xF000);
            at += StreamEntryLength;
        }

        return at;
    }

    private static TsElementaryStream Describe(byte streamType, int pid, ReadOnlySpan<byte> descriptors)
    {
        switch (streamType)
        {
            case TsStreamType.H264:
                return new TsElementaryStream(pid, streamType, TsCodec.H264);
            case TsStreamType.H265:
                return new TsElementaryStream(pid, streamType, TsCodec.H265);
            case TsStreamType.AacAdts:
                return new TsElementaryStream(pid, streamType, TsCodec.Aac);
            case TsStreamType.PrivatePes:
                bool opus = false;
                int channels = 2;
                while (descriptors.Length >= 2)
                {
                    byte tag = descriptors[0];
                    int length = Math.Min(descriptors[1], descriptors.Length - 2);
                    var body = descriptors.Slice(2, length);
                    if (tag == RegistrationDescriptor && body.StartsWith("Opus"u8))
                    {
                        opus = true;
                    }
                    else if (tag == ExtensionDescriptor && body.Length >= 2 && body[0] == OpusAudioDescriptor)
                    {
                        // channel_config_code: 1..8 is the channel count (mapping families 0 and 1); 0x80 is dual mono.
                        channels = body[1] is >= 1 and <= 8 ? body[1] : 2;
                    }

                    descriptors = descriptors[(2 + length)..];
                }

                return new TsElementaryStream(pid, streamType, opus ? TsCodec.Opus : TsCodec.Unsupported, opus ? channels : 0);
            default:
                return new TsElementaryStream(pid, streamType, TsCodec.Unsupported);
        }
    }

    private static ReadOnlySpan<byte> Skip(ReadOnlySpan<byte> data, int count, string what) =>
        count <= data.Length ? data[count..] : ThrowHelper.Malformed<byte[]>($"PMT {what} of {count} bytes exceeds the section");
}
