namespace Stagecast.Media.Codecs.H265;

/// <summary>H.265 NAL unit types used here (ITU-T H.265 Table 7-1).</summary>
public static class H265NalType
{
    public const int IdrWRadl = 19;
    public const int IdrNLp = 20;
    public const int Cra = 21;
    public const int Vps = 32;
    public const int Sps = 33;
    public const int Pps = 34;
    public const int AccessUnitDelimiter = 35;

    public static int Of(ReadOnlySpan<byte> nal) => (nal[0] >> 1) & 0x3F;
}
