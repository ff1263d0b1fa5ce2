using System.Buffers;

namespace Stagecast.Media.Hls;

/// <summary>One WebVTT segment of a subtitles playlist: the media part it stands beside, and where that part is.</summary>
public readonly record struct SubtitlesEntry(long PartNumber, double Duration, DateTimeOffset ProgramDateTime, bool Discontinuity);

/// <summary>
/// Renders the media playlist of a subtitles rendition (RFC 8216bis 4.4): one WebVTT segment beside each media part, under
/// the part's number, duration, discontinuities and program date-time, so a player lines them up with the video and a
/// low-latency one gets a part's captions a part after they were said. Segments, not LL-HLS parts: hls.js 1.7's
/// subtitle part loading can stall for good (its issue 8051), while short segments go through its plain live path,
/// reloaded about once a target duration (one second).
/// </summary>
public static class SubtitlesPlaylistWriter
{
    public static void Write(IBufferWriter<byte> output, IReadOnlyList<SubtitlesEntry> entries, long discontinuitySequence, bool endList)
    {
        var w = new AsciiWriter(output);
        w.Write("#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:"u8);
        w.Write(Math.Max(1, (int)Math.Ceiling(entries.Count == 0 ? 1 : entries.Max(e => e.Duration))));
        w.WriteNewline();
        MediaPlaylistWriter.WriteSequences(w, entries.Count > 0 ? entries[0].PartNumber : 0, discontinuitySequence);

        foreach (var entry in entries)
        {
            if (entry.Discontinuity)
            {
                w.Write("#EXT-X-DISCONTINUITY\n"u8);
            }

            w.Write("#EXT-X-PROGRAM-DATE-TIME:"u8);
            w.WriteDate(entry.ProgramDateTime);
            w.Write("\n#EXTINF:"u8);
            w.Write(entry.Duration, "F5");
            w.Write(",\n"u8);
            HlsNaming.WriteSubtitles(w, entry.PartNumber);
            w.WriteNewline();
        }

        if (endList)
        {
            w.Write("#EXT-X-ENDLIST\n"u8);
        }
    }
}
