namespace Stagecast.Media;

/// <summary>
/// Upper bounds for every length or count read from untrusted input, each with the reason for its value.
/// A value above its limit is treated as malformed input, never as a reason to allocate.
/// </summary>
public static class MediaLimits
{
    /// <summary>AMF0 nesting depth. Real metadata nests two or three levels; deeper input only attacks the stack.</summary>
    public const int MaxAmfDepth = 16;

    /// <summary>Properties in one AMF0 object or ECMA array. onMetaData from OBS or ffmpeg has about twenty.</summary>
    public const int MaxAmfProperties = 1024;

    /// <summary>Elements in one AMF0 strict array.</summary>
    public const int MaxAmfArrayLength = 4096;

    /// <summary>Parameter sets (SPS, PPS, VPS) in one decoder configuration record. Encoders send one to three.</summary>
    public const int MaxParameterSets = 32;

    /// <summary>Bytes in one parameter set. Real SPS/PPS/VPS are tens to a few hundred bytes.</summary>
    public const int MaxParameterSetSize = 4096;

    /// <summary>
    /// Bytes in one FLV tag body or RTMP media message. The wire format allows 16 MiB (24-bit length); a 4K
    /// keyframe at 50 Mbps is about 2 MiB, so 8 MiB leaves room without letting one message pin 16 MiB.
    /// </summary>
    public const int MaxMediaMessageSize = 8 * 1024 * 1024;

    /// <summary>
    /// Bytes in one MPEG-TS PES packet: one access unit (a few for audio) as large as a media message may be, and
    /// the largest PES header (9 + 255 bytes).
    /// </summary>
    public const int MaxPesPacketSize = MaxMediaMessageSize + 9 + 255;

    /// <summary>Samples in one fMP4 fragment (one partial segment). A 0.33 s part at 120 fps has 40.</summary>
    public const int MaxSamplesPerFragment = 4096;

    /// <summary>Bytes in the moov of a fragmented MP4 read back (a recording's): it holds sample entries only, a few KiB.</summary>
    public const int MaxFragmentedMovieBoxSize = 1024 * 1024;

    /// <summary>Bytes in one moof read back: two track runs of <see cref="MaxSamplesPerFragment"/> samples at 16 bytes each fit.</summary>
    public const int MaxMovieFragmentBoxSize = 4 * 16 * MaxSamplesPerFragment;
}
