namespace Stagecast.Media.Flv;

/// <summary>What an audio or video tag body carries, normalised over legacy FLV and Enhanced RTMP.</summary>
public enum FlvPacketKind : byte
{
    /// <summary>Decoder configuration (AVC/AAC sequence header, Enhanced RTMP SequenceStart).</summary>
    SequenceStart,

    /// <summary>Coded media (AVC NALU, AAC raw, CodedFrames, CodedFramesX).</summary>
    CodedFrames,

    /// <summary>End of sequence.</summary>
    SequenceEnd,

    /// <summary>Anything carried that Stagecast does not use: other codecs, commands, metadata, multitrack.</summary>
    Unsupported,
}
