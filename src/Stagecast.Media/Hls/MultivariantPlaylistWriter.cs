using System.Buffers;

namespace Stagecast.Media.Hls;

/// <summary>One rendition as a multivariant playlist lists it (RFC 8216bis 4.4.6.2).</summary>
/// <param name="Bandwidth">BANDWIDTH: the peak segment bit rate, in bit/s.</param>
/// <param name="AverageBandwidth">AVERAGE-BANDWIDTH, when known.</param>
public readonly record struct PlaylistVariant(long Bandwidth, long? AverageBandwidth, string Codecs, int Width, int Height, double? FrameRate, string Uri);

/// <summary>Renders the multivariant playlist of a stream: its renditions, the first being the one players start with.</summary>
public static class MultivariantPlaylistWriter
{
    public static void Write(IBufferWriter<byte> output, IReadOnlyList<PlaylistVariant> variants)
    {
        var w = new AsciiWriter(output);
        w.Write("#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n"u8);
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

            w.WriteNewline();
            w.Write(variant.Uri);
            w.WriteNewline();
        }
    }
}
