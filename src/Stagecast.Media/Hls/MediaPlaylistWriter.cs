using System.Buffers;

namespace Stagecast.Media.Hls;

/// <summary>
/// Renders a low-latency HLS media playlist (RFC 8216bis; Apple LL-HLS). Segments before
/// <c>partsFrom</c> are listed as whole segments; from there on their EXT-X-PART tags are listed too, and the
/// last, incomplete segment only by its parts, followed by the preload hint for the next part and the other renditions'
/// reports (EXT-X-RENDITION-REPORT), so a player switching renditions asks the right blocking reload at once.
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
        bool endList,
        string? rendition = null,
        IReadOnlyList<RenditionReport>? reports = null)
    {
        var w = new AsciiWriter(output);
        Span<byte> prefix = stackalloc byte[rendition is null ? 0 : rendition.Length + 1];
        if (rendition is not null)
        {
            System.Text.Encoding.ASCII.GetBytes(rendition, prefix);
            prefix[^1] = (byte)'_';
        }

        w.Write("#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:"u8);
        w.Write(header.TargetDuration);
        w.Write("\n#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK="u8);
        w.Write(header.PartHoldBack, TargetFormat);
        w.Write("\n#EXT-X-PART-INF:PART-TARGET="u8);
        w.Write(header.PartTarget, TargetFormat);
        w.WriteNewline();
        WriteSequences(w, segments.Count > 0 ? segments[0].SequenceNumber : 0, discontinuitySequence);

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
                w.Write(prefix);
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
                    HlsNaming.WritePart(w, prefix, parts[p].Number);
                    w.Write(parts[p].Independent ? "\",INDEPENDENT=YES\n"u8 : "\"\n"u8);
                }
            }

            if (segment.IsGap)
            {
                w.Write("#EXT-X-GAP\n"u8);
            }

            if (segment.IsComplete)
            {
                w.Write("#EXTINF:"u8);
                w.Write(segment.Duration, DurationFormat);
                w.Write(",\n"u8);
                HlsNaming.WriteSegment(w, prefix, segment.SequenceNumber);
                w.WriteNewline();
            }
        }

        if (preloadHintPart is { } hint)
        {
            w.Write("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\""u8);
            HlsNaming.WritePart(w, prefix, hint);
            w.Write("\"\n"u8);
        }

        foreach (var report in reports ?? [])
        {
            w.Write("#EXT-X-RENDITION-REPORT:URI=\""u8);
            w.Write(report.Uri);
            w.Write("\",LAST-MSN="u8);
            w.Write(report.LastMsn);
            w.Write(",LAST-PART="u8);
            w.Write(report.LastPart);
            w.WriteNewline();
        }

        if (endList)
        {
            w.Write("#EXT-X-ENDLIST\n"u8);
        }
    }

    /// <summary>EXT-X-MEDIA-SEQUENCE (the first segment's number) and, once one has left the playlist, EXT-X-DISCONTINUITY-SEQUENCE (RFC 8216bis 4.4.3.2-3).</summary>
    internal static void WriteSequences(AsciiWriter w, long mediaSequence, long discontinuitySequence)
    {
        w.Write("#EXT-X-MEDIA-SEQUENCE:"u8);
        w.Write(mediaSequence);
        w.WriteNewline();
        if (discontinuitySequence > 0)
        {
            w.Write("#EXT-X-DISCONTINUITY-SEQUENCE:"u8);
            w.Write(discontinuitySequence);
            w.WriteNewline();
        }
    }
}
