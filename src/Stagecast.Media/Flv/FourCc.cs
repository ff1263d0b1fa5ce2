namespace Stagecast.Media.Flv;

/// <summary>FourCC codes of Enhanced RTMP as big-endian integers.</summary>
public static class FourCc
{
    public const uint Avc1 = 0x61766331; // "avc1"
    public const uint Hvc1 = 0x68766331; // "hvc1"
    public const uint Av01 = 0x61763031; // "av01"
    public const uint Vp09 = 0x76703039; // "vp09"
    public const uint Mp4a = 0x6D703461; // "mp4a"
    public const uint Opus = 0x4F707573; // "Opus"

    public static string ToText(uint fourCc) => string.Create(4, fourCc, static (span, value) =>
    {
        for (int i = 0; i < 4; i++)
        {
            char c = (char)((value >> (24 - (8 * i))) & 0xFF);
            span[i] = c is >= ' ' and <= '~' ? c : '?';
        }
    });
}
