using System.Buffers;
using Stagecast.Media.Hls;

namespace Stagecast.Hls.Storage;

/// <summary>
/// A timed text track beside the media: cues said on the server's clock, placed on the media timeline by when each
/// segment's first frame arrived (its program date-time), and served as a WebVTT segment beside each media segment and
/// a WebVTT part beside each part. A cue is never placed in a part already made (a player may have fetched its
/// captions): one heard later, as nearly every one is (an utterance is recognised once it ends), starts at the live
/// edge, where the next part will.
/// </summary>
public sealed partial class HlsStream
{
    private readonly List<WebVttCue> _cues = [];
    private TimedTextTrack? _timedText;

    /// <summary>The timed text track this stream carries (a source's, not a rendition's), or null.</summary>
    public TimedTextTrack? TimedText => Volatile.Read(ref _timedText);

    /// <summary>Gives the stream a timed text track, before it is published (its playlists list it from then on).</summary>
    public void Carry(TimedTextTrack track) => Volatile.Write(ref _timedText, track);

    /// <summary>Places a cue on the media timeline; false when the stream carries no timed text, has ended, or has no media yet.</summary>
    public bool AddCue(TimedTextCue cue)
    {
        lock (_sync)
        {
            if (_timedText is null || _ended || _segments.Count == 0)
            {
                return false;
            }

            // The end of the newest part is the earliest a cue may go.
            double floor = _mediaTime;
            double start = floor;
            for (int i = _segments.Count - 1; i >= 0; i--)
            {
                var segment = _segments[i];
                if (segment.Parts.Count > 0 && segment.Info.ProgramDateTime <= cue.StartedAt)
                {
                    start = Math.Max(floor, segment.Parts[0].MediaStart + (cue.StartedAt - segment.Info.ProgramDateTime).TotalSeconds);
                    break;
                }
            }

            double duration = Math.Max(0, (cue.EndedAt - cue.StartedAt).TotalSeconds);
            _cues.Add(new WebVttCue(start, start + duration, cue.Text, cue.Voice));
            return true;
        }
    }

    /// <summary>
    /// The subtitles playlist as it stands now (the media playlist's segments and parts, as WebVTT files); null when the
    /// stream carries no timed text. Rendered once per published playlist, which it changes with (cues never do: they
    /// land in parts not listed yet).
    /// </summary>
    public byte[]? RenderSubtitlesPlaylist()
    {
        if (TimedText is null)
        {
            return null;
        }

        lock (_sync)
        {
            if (_snapshot is { SubtitlesRendered: { } rendered })
            {
                return rendered;
            }

            ListSegments();
            var output = new ArrayBufferWriter<byte>(2048);
            MediaPlaylistWriter.WriteSubtitles(output, _header, _renderSegments, PartsFrom(_renderSegments), _discontinuitySequence, _ended);
            byte[] playlist = output.WrittenSpan.ToArray();
            if (_snapshot is { } current)
            {
                current.SubtitlesRendered = playlist;
            }

            return playlist;
        }
    }

    /// <summary>The WebVTT segment beside complete media segment <paramref name="msn"/>: the cues that start in it; null when there is none.</summary>
    public byte[]? RenderSubtitles(long msn)
    {
        lock (_sync)
        {
            var segment = _segments.Find(s => s.Msn == msn);
            return segment is { Info.IsComplete: true, Parts.Count: > 0 } ? RenderCues(segment.Parts[0].MediaStart, segment.Parts[^1].MediaEnd) : null;
        }
    }

    /// <summary>The WebVTT part beside part <paramref name="number"/>: the cues that start in it; null when there is none.</summary>
    public byte[]? RenderSubtitlesPart(long number)
    {
        lock (_sync)
        {
            for (int i = _segments.Count - 1; i >= 0; i--)
            {
                var parts = _segments[i].Parts;
                if (parts.Count > 0 && parts[0].Number <= number)
                {
                    long index = number - parts[0].Number;
                    return index < parts.Count ? RenderCues(parts[(int)index].MediaStart, parts[(int)index].MediaEnd) : null;
                }
            }

            return null;
        }
    }

    /// <summary>A WebVTT file starting at <paramref name="start"/> with the cues that start before <paramref name="end"/> (under the lock).</summary>
    private byte[]? RenderCues(double start, double end)
    {
        if (TimedText is null)
        {
            return null;
        }

        var output = new ArrayBufferWriter<byte>(512);
        WebVttSegmentWriter.Write(output, start, _cues.Where(c => c.Start >= start && c.Start < end).OrderBy(c => c.Start));
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Forgets the cues that start before the oldest segment held (under the lock, as segments are evicted).</summary>
    private void EvictCues()
    {
        if (_cues.Count > 0 && _segments.Count > 0 && _segments[0].Parts.Count > 0)
        {
            double oldest = _segments[0].Parts[0].MediaStart;
            _cues.RemoveAll(c => c.Start < oldest);
        }
    }
}
