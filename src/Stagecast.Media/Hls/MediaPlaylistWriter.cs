using System.Buffers;

namespace Stagecast.Media.Hls;

/// <summary>
/// Renders a low-latency HLS media playlist (RFC 8216bis; Apple LL-HLS). Segments before
/// <c>partsFrom</c> are listed as whole segments; from there on their EXT-X-PART tags are listed too, and the
/// last, incomplete segment only by its parts, followed by the preload hint for the next part.
/// </summary>
public static class MediaPlaylistWriter
{
    private const string DurationFormat = "F5";
    private const string TargetFormat = "0.0####";

    public static void Write(
        IBufferWriter<byte> output,
        in MediaPlaylistHeader header,
        IReadOnlyList<PlaylistSegment> segments,
        int partsFrom,
        long discontinuitySequence,
        long? preloadHintPart,
        bool endList)
    {
        var w = new AsciiWriter(output);
        w.Write("#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:"u8);
        w.Write(header.TargetDuration);
        w.Write("\n#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK="u8);
        w.Write(header.PartHoldBack, TargetFormat);
        w.Write("\n#EXT-X-PART-INF:PART-TARGET="u8);
        w.Write(header.PartTarget, TargetFormat);
        w.Write("\n#EXT-X-MEDIA-SEQUENCE:"u8);
        w.Write(segments.Count > 0 ? segments[0].SequenceNumber : 0);
        w.WriteNewline();
        if (discontinuitySequence > 0)
        {
            w.Write("#EXT-X-DISCONTINUITY-SEQUENCE:"u8);
            w.Write(discontinuitySequence);
            w.WriteNewline();
        }

        int mapId = -1;
        for (int i = 0; i < segments.Count; i++)
        {
            var segment = segments[i];
            if (segment.Discontinuity)
            {
                w.Write("#EXT-X-DISCONTINUITY\n"u8);
            }

            if (segment.MapId != mapId)
            {
                mapId = segment.MapId;
                w.Write("#EXT-X-MAP:URI=\""u8);
                w.Write(HlsNaming.Init(mapId));
                w.Write("\"\n"u8);
            }

            w.Write("#EXT-X-PROGRAM-DATE-TIME:"u8);
            w.WriteDate(segment.ProgramDateTime);
            w.WriteNewline();

            if (i >= partsFrom)
            {
                var parts = segment.Parts;
                for (int p = 0; p < parts.Count; p++)
                {
                    w.Write("#EXT-X-PART:DURATION="u8);
                    w.Write(parts[p].Duration, DurationFormat);
                    w.Write(",URI=\""u8);
                    HlsNaming.WritePart(w, parts[p].Number);
                    w.Write(parts[p].Independent ? "\",INDEPENDENT=YES\n"u8 : "\"\n"u8);
                }
            }

            if (segment.IsComplete)
            {
                w.Write("#EXTINF:"u8);
                w.Write(segment.Duration, DurationFormat);
                w.Write(",\n"u8);
                HlsNaming.WriteSegment(w, segment.SequenceNumber);
                w.WriteNewline();
            }
        }

        if (preloadHintPart is { } hint)
        {
            w.Write("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\""u8);
            HlsNaming.WritePart(w, hint);
            w.Write("\"\n"u8);
        }

        if (endList)
        {
            w.Write("#EXT-X-ENDLIST\n"u8);
        }
    }
}
