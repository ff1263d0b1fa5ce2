namespace Stagecast.Media.MpegTs;

/// <summary>What an elementary stream of the program carries, as far as Stagecast is concerned.</summary>
public enum TsCodec
{
    /// <summary>A stream type Stagecast does not carry (MPEG-2 video, AC-3, subtitles, ...): its packets are skipped.</summary>
    Unsupported,
    H264,
    H265,
    Aac,
    Opus,
}
