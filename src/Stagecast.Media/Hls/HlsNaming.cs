using System.Globalization;

namespace Stagecast.Media.Hls;

/// <summary>
/// The file names of one rendition, relative to its media playlist. The playlist writer produces them and the
/// HTTP router parses them, so both always agree.
/// <code>
/// stream.m3u8     media playlist             init{map}.mp4   initialization segment
/// seg{msn}.m4s    media segment msn          part{n}.m4s     partial segment n
/// </code>
/// Partial segments are numbered across segment boundaries, so a preload hint names the next part even
/// before it is known whether a keyframe will make it start a new segment.
/// </summary>
public static class HlsNaming
{
    public const string MultivariantPlaylist = "video.m3u8";
    public const string MediaPlaylist = "stream.m3u8";

    public static string Init(int mapId) => string.Create(CultureInfo.InvariantCulture, $"init{mapId}.mp4");

    public static string Segment(long msn) => string.Create(CultureInfo.InvariantCulture, $"seg{msn}.m4s");

    public static string Part(long number) => string.Create(CultureInfo.InvariantCulture, $"part{number}.m4s");

    /// <summary>Writes <see cref="Part"/>'s name without making a string (playlists list dozens per render).</summary>
    internal static void WritePart(AsciiWriter writer, long number)
    {
        writer.Write("part"u8);
        writer.Write(number);
        writer.Write(".m4s"u8);
    }

    /// <summary>Writes <see cref="Segment"/>'s name without making a string.</summary>
    internal static void WriteSegment(AsciiWriter writer, long msn)
    {
        writer.Write("seg"u8);
        writer.Write(msn);
        writer.Write(".m4s"u8);
    }

    public static bool TryParseInit(ReadOnlySpan<char> name, out int mapId)
    {
        mapId = 0;
        return name.StartsWith("init") && name.EndsWith(".mp4")
            && int.TryParse(name[4..^4], NumberStyles.None, CultureInfo.InvariantCulture, out mapId);
    }

    public static bool TryParseSegment(ReadOnlySpan<char> name, out long msn)
    {
        msn = 0;
        return name.StartsWith("seg") && name.EndsWith(".m4s")
            && long.TryParse(name[3..^4], NumberStyles.None, CultureInfo.InvariantCulture, out msn);
    }

    public static bool TryParsePart(ReadOnlySpan<char> name, out long number)
    {
        number = 0;
        return name.StartsWith("part") && name.EndsWith(".m4s")
            && long.TryParse(name[4..^4], NumberStyles.None, CultureInfo.InvariantCulture, out number);
    }
}
