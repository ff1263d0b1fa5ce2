namespace Stagecast.Media.Fmp4;

/// <summary>
/// Writes the esds box (ISO/IEC 14496-14 5.6) for AAC: an ES_Descriptor holding a DecoderConfigDescriptor
/// (object type 0x40 = MPEG-4 Audio, stream type 5 = audio) with the AudioSpecificConfig as DecoderSpecificInfo,
/// and an SLConfigDescriptor. Descriptor sizes use the one-byte form, which fits every real AudioSpecificConfig.
/// </summary>
public static class EsdsWriter
{
    private const byte EsDescriptorTag = 0x03;
    private const byte DecoderConfigDescriptorTag = 0x04;
    private const byte DecoderSpecificInfoTag = 0x05;
    private const byte SlConfigDescriptorTag = 0x06;

    public static void Write(BoxBuffer box, ReadOnlySpan<byte> audioSpecificConfig)
    {
        if (audioSpecificConfig.Length > 64)
        {
            throw new ArgumentException("AudioSpecificConfig longer than 64 bytes", nameof(audioSpecificConfig));
        }

        int specificInfoLength = 2 + audioSpecificConfig.Length;
        int decoderConfigLength = 13 + specificInfoLength;
        int esLength = 3 + 2 + decoderConfigLength + 3;

        int esds = box.StartFullBox("esds"u8, 0, 0);
        box.WriteUInt8(EsDescriptorTag);
        box.WriteUInt8((byte)esLength);
        box.WriteUInt16(0); // ES_ID
        box.WriteUInt8(0); // flags
        box.WriteUInt8(DecoderConfigDescriptorTag);
        box.WriteUInt8((byte)decoderConfigLength);
        box.WriteUInt8(0x40); // objectTypeIndication: MPEG-4 Audio
        box.WriteUInt8(0x15); // streamType 5 << 2 | upStream 0 | reserved 1
        box.WriteUInt24(0); // bufferSizeDB
        box.WriteUInt32(0); // maxBitrate
        box.WriteUInt32(0); // avgBitrate
        box.WriteUInt8(DecoderSpecificInfoTag);
        box.WriteUInt8((byte)audioSpecificConfig.Length);
        box.WriteBytes(audioSpecificConfig);
        box.WriteUInt8(SlConfigDescriptorTag);
        box.WriteUInt8(1);
        box.WriteUInt8(2); // predefined: MP4
        box.EndBox(esds);
    }
}
