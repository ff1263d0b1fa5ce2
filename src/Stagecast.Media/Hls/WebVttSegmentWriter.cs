using System.Buffers;
using System.Globalization;

namespace Stagecast.Media.Hls;

/// <summary>A cue of a WebVTT subtitles segment: its times in seconds on the stream's media timeline, the words, and who said them.</summary>
public readonly record struct WebVttCue(double Start, double End, string Text, string? Voice);

/// <summary>
/// Renders one WebVTT segment or part of a subtitles rendition (RFC 8216bis 3.1.4, W3C WebVTT): every cue to be shown
/// during it (RFC 8216 3.5), so a cue that spans several files is in each of them. Every file of a stream has the same
/// X-TIMESTAMP-MAP (MPEGTS 0 at LOCAL zero: the media timeline's origin, in 90 kHz units of the video track's decode
/// times, as fMP4 carries them) and its cue times on the media timeline: a cue read from two files is the same cue to the
/// player (hls.js keeps one cue per start, end and text), not two.
/// </summary>
public static class WebVttSegmentWriter
{
    /// <summary>MPEGTS timestamps are 33 bits wide (ISO/IEC 13818-1 2.4.3.7): the origin moves on by a period after about 26.5 hours.</summary>
    private const double MpegTsPeriodSeconds = (1L << 33) / 90_000.0;

    /// <param name="start">Where the file starts on the media timeline, in seconds (which 33-bit period its times are counted in).</param>
    /// <param name="cues">The cues shown during this file.</param>
    public static void Write(IBufferWriter<byte> output, double start, IEnumerable<WebVttCue> cues)
    {
        var w = new AsciiWriter(output);
        w.Write("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000\n"u8);
        double origin = Math.Floor(start / MpegTsPeriodSeconds) * MpegTsPeriodSeconds;
        foreach (var cue in cues)
        {
            WriteCue(output, cue with { Start = cue.Start - origin, End = cue.End - origin });
        }
    }

    /// <summary>One cue after a blank line: its times (an end before the start is the start), its speaker and words.</summary>
    public static void WriteCue(IBufferWriter<byte> output, WebVttCue cue)
    {
        var w = new AsciiWriter(output);
        w.WriteNewline();
        w.Write(Timestamp(cue.Start));
        w.Write(" --> "u8);
        w.Write(Timestamp(Math.Max(cue.End, cue.Start)));
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
