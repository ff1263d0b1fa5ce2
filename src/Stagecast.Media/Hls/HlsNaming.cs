using System.Globalization;

namespace Stagecast.Media.Hls;

/// <summary>
/// The file names of one rendition, relative to its media playlist. The playlist writer produces them and the
/// HTTP router parses them, so both always agree.
/// <code>
/// stream.m3u8     media playlist             init{map}.mp4   initialization segment
/// seg{msn}.m4s    media segment msn          part{n}.m4s     partial segment n
/// subs.m3u8       subtitles playlist         subs{n}.vtt     WebVTT segment beside part n
/// </code>
/// Partial segments are numbered across segment boundaries, so a preload hint names the next part even
/// before it is known whether a keyframe will make it start a new segment. The renditions of a ladder sit in the same
/// folder as the source, each file named with the rendition and an underscore in front (360p_stream.m3u8,
/// 360p_part12.m4s), so a player's id in the folder holds for every rendition and rendition reports are plain names.
/// </summary>
public static class HlsNaming
{
    public const string MultivariantPlaylist = "video.m3u8";
    public const string MediaPlaylist = "stream.m3u8";
    public const string SubtitlesPlaylist = "subs.m3u8";

    public static string Init(int mapId) => string.Create(CultureInfo.InvariantCulture, $"init{mapId}.mp4");

    public static string Segment(long msn) => string.Create(CultureInfo.InvariantCulture, $"seg{msn}.m4s");

    public static string Subtitles(long part) => string.Create(CultureInfo.InvariantCulture, $"subs{part}.vtt");

    public static string Part(long number) => string.Create(CultureInfo.InvariantCulture, $"part{number}.m4s");

    /// <summary>The media playlist of a rendition (null: the source).</summary>
    public static string MediaPlaylistOf(string? rendition) => rendition is null ? MediaPlaylist : rendition + "_" + MediaPlaylist;

    /// <summary>Splits a file name into its rendition (null: the source) and the name within it.</summary>
    public static (string? Rendition, string Name) SplitRendition(string file) =>
        file.IndexOf('_', StringComparison.Ordinal) is int at and > 0 ? (file[..at], file[(at + 1)..]) : (null, file);

    /// <summary>Writes <see cref="Part"/>'s name without making a string (playlists list dozens per render).</summary>
    internal static void WritePart(AsciiWriter writer, ReadOnlySpan<byte> prefix, long number)
    {
        writer.Write(prefix);
        writer.Write("part"u8);
        writer.Write(number);
        writer.Write(".m4s"u8);
    }

    /// <summary>Writes <see cref="Segment"/>'s name without making a string.</summary>
    internal static void WriteSegment(AsciiWriter writer, ReadOnlySpan<byte> prefix, long msn)
    {
        writer.Write(prefix);
        writer.Write("seg"u8);
        writer.Write(msn);
        writer.Write(".m4s"u8);
    }

    /// <summary>Writes <see cref="Subtitles"/>'s name without making a string.</summary>
    internal static void WriteSubtitles(AsciiWriter writer, long part)
    {
        writer.Write("subs"u8);
        writer.Write(part);
        writer.Write(".vtt"u8);
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

    public static bool TryParseSubtitles(ReadOnlySpan<char> name, out long part)
    {
        part = 0;
        return name.StartsWith("subs") && name.EndsWith(".vtt")
            && long.TryParse(name[4..^4], NumberStyles.None, CultureInfo.InvariantCulture, out part);
    }
}
