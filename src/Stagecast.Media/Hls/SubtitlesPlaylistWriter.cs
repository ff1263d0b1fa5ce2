using System.Buffers;

namespace Stagecast.Media.Hls;

/// <summary>
/// Renders the media playlist of a subtitles rendition (RFC 8216bis 4.4): one WebVTT segment for each complete media
/// segment, under the same sequence numbers, durations, discontinuities and program date-times, so a player lines
/// them up with the video. Without parts or blocking reload: a player reloads it every target duration, and a
/// segment's captions are known only once its media segment is complete.
/// </summary>
public static class SubtitlesPlaylistWriter
{
    public static void Write(IBufferWriter<byte> output, int targetDuration, IReadOnlyList<PlaylistSegment> segments, long discontinuitySequence, bool endList)
    {
        var w = new AsciiWriter(output);
        w.Write("#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:"u8);
        w.Write(targetDuration);
        w.WriteNewline();
        MediaPlaylistWriter.WriteSequences(w, segments, discontinuitySequence);

        foreach (var segment in segments)
        {
            if (segment.Discontinuity)
            {
                w.Write("#EXT-X-DISCONTINUITY\n"u8);
            }

            w.Write("#EXT-X-PROGRAM-DATE-TIME:"u8);
            w.WriteDate(segment.ProgramDateTime);
            w.Write("\n#EXTINF:"u8);
            w.Write(segment.Duration, "F5");
            w.Write(",\n"u8);
            w.Write(HlsNaming.Subtitles(segment.SequenceNumber));
            w.WriteNewline();
        }

        if (endList)
        {
            w.Write("#EXT-X-ENDLIST\n"u8);
        }
    }
}
