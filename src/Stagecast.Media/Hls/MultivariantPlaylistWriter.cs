using System.Buffers;

namespace Stagecast.Media.Hls;

/// <summary>Renders the multivariant playlist of a single-rendition stream (RFC 8216bis 4.4.6.2).</summary>
public static class MultivariantPlaylistWriter
{
    public static void Write(IBufferWriter<byte> output, long bandwidth, string codecs, int width, int height, double? frameRate, string mediaPlaylistUri)
    {
        var w = new AsciiWriter(output);
        w.Write("#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-STREAM-INF:BANDWIDTH="u8);
        w.Write(bandwidth);
        w.Write(",CODECS=\""u8);
        w.Write(codecs);
        w.Write("\""u8);
        if (width > 0 && height > 0)
        {
            w.Write(",RESOLUTION="u8);
            w.Write(width);
            w.Write("x"u8);
            w.Write(height);
        }

        if (frameRate is > 0 and < 1000)
        {
            w.Write(",FRAME-RATE="u8);
            w.Write(frameRate.Value, "F3");
        }

        w.WriteNewline();
        w.Write(mediaPlaylistUri);
        w.WriteNewline();
    }
}
