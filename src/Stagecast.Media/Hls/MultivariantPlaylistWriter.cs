using System.Buffers;

namespace Stagecast.Media.Hls;

/// <summary>One rendition as a multivariant playlist lists it (RFC 8216bis 4.4.6.2).</summary>
/// <param name="Bandwidth">BANDWIDTH: the peak segment bit rate, in bit/s.</param>
/// <param name="AverageBandwidth">AVERAGE-BANDWIDTH, when known.</param>
public readonly record struct PlaylistVariant(long Bandwidth, long? AverageBandwidth, string Codecs, int Width, int Height, double? FrameRate, string Uri);

/// <summary>A subtitles rendition (RFC 8216bis 4.4.6.1): its name shown to viewers, its language (RFC 5646) and its playlist.</summary>
public readonly record struct PlaylistSubtitles(string Name, string Language, string Uri)
{
    /// <summary>The GROUP-ID every variant names in SUBTITLES.</summary>
    public const string GroupId = "subs";
}

/// <summary>Renders the multivariant playlist of a stream: its renditions, the first being the one players start with.</summary>
public static class MultivariantPlaylistWriter
{
    public static void Write(IBufferWriter<byte> output, IReadOnlyList<PlaylistVariant> variants, PlaylistSubtitles? subtitles = null)
    {
        var w = new AsciiWriter(output);
        w.Write("#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n"u8);
        if (subtitles is { } subs)
        {
            w.Write("#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\""u8);
            w.Write(PlaylistSubtitles.GroupId);
            w.Write("\",NAME=\""u8);
            w.Write(subs.Name);
            w.Write("\",LANGUAGE=\""u8);
            w.Write(subs.Language);
            w.Write("\",DEFAULT=YES,AUTOSELECT=YES,URI=\""u8);
            w.Write(subs.Uri);
            w.Write("\"\n"u8);
        }

        foreach (var variant in variants)
        {
            w.Write("#EXT-X-STREAM-INF:BANDWIDTH="u8);
            w.Write(variant.Bandwidth);
            if (variant.AverageBandwidth is { } average)
            {
                w.Write(",AVERAGE-BANDWIDTH="u8);
                w.Write(average);
            }

            w.Write(",CODECS=\""u8);
            w.Write(variant.Codecs);
            w.Write("\""u8);
            if (variant.Width > 0 && variant.Height > 0)
            {
                w.Write(",RESOLUTION="u8);
                w.Write(variant.Width);
                w.Write("x"u8);
                w.Write(variant.Height);
            }

            if (variant.FrameRate is > 0 and < 1000)
            {
                w.Write(",FRAME-RATE="u8);
                w.Write(variant.FrameRate.Value, "F3");
            }

            if (subtitles is not null)
            {
                w.Write(",SUBTITLES=\""u8);
                w.Write(PlaylistSubtitles.GroupId);
                w.Write("\""u8);
            }

            w.WriteNewline();
            w.Write(variant.Uri);
            w.WriteNewline();
        }
    }
}
