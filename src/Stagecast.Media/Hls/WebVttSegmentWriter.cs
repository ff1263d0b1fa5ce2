using System.Buffers;
using System.Globalization;

namespace Stagecast.Media.Hls;

/// <summary>A cue of a WebVTT subtitles segment: its times in seconds on the stream's media timeline, the words, and who said them.</summary>
public readonly record struct WebVttCue(double Start, double End, string Text, string? Voice);

/// <summary>
/// Renders one WebVTT segment of a subtitles rendition (RFC 8216bis 3.1.4, W3C WebVTT). Its X-TIMESTAMP-MAP ties the
/// segment's local time zero to where the segment starts on the media timeline, in 90 kHz units (the video track's
/// decode times, as fMP4 carries them): cue times inside are relative to the segment's start, so the player places
/// them on the same timeline as the media segment of the same sequence number.
/// </summary>
public static class WebVttSegmentWriter
{
    /// <summary>MPEG-TS timestamps are 33 bits wide (ISO/IEC 13818-1 2.4.3.7).</summary>
    private const long MpegTsWrap = 1L << 33;

    /// <param name="segmentStart">Where the segment starts on the media timeline, in seconds.</param>
    /// <param name="cues">The cues that start in this segment.</param>
    public static void Write(IBufferWriter<byte> output, double segmentStart, IEnumerable<WebVttCue> cues)
    {
        var w = new AsciiWriter(output);
        w.Write("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:"u8);
        w.Write((long)Math.Round(segmentStart * 90_000) % MpegTsWrap);
        w.Write(",LOCAL:00:00:00.000\n"u8);
        foreach (var cue in cues)
        {
            w.WriteNewline();
            w.Write(Timestamp(cue.Start - segmentStart));
            w.Write(" --> "u8);
            w.Write(Timestamp(Math.Max(cue.End, cue.Start) - segmentStart));
            w.WriteNewline();
            if (cue.Voice is { Length: > 0 } voice)
            {
                w.Write("<v "u8);
                w.Write(Escape(voice));
                w.Write(">"u8);
            }

            w.Write(Escape(cue.Text));
            w.WriteNewline();
        }
    }

    /// <summary>A WebVTT timestamp: hours, minutes, seconds and milliseconds (never negative).</summary>
    public static string Timestamp(double seconds) => Timestamp(TimeSpan.FromMilliseconds(Math.Round(Math.Max(seconds, 0) * 1000)));

    /// <inheritdoc cref="Timestamp(double)"/>
    public static string Timestamp(TimeSpan at)
    {
        var t = at < TimeSpan.Zero ? TimeSpan.Zero : at;
        return string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours:00}:{t.Minutes:00}:{t.Seconds:00}.{t.Milliseconds:000}");
    }

    /// <summary>Cue text on one line (a blank line would end the cue) with WebVTT's markup characters escaped.</summary>
    public static string Escape(string text) =>
        text.ReplaceLineEndings(" ").Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
