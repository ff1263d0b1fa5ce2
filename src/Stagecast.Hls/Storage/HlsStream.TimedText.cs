using System.Buffers;
using Stagecast.Media.Hls;

namespace Stagecast.Hls.Storage;

/// <summary>
/// A timed text track beside the media: cues said on the server's clock, placed on the media timeline by when each
/// segment's first frame arrived (its program date-time), and served as a WebVTT segment beside each media segment.
/// A cue is never placed in a segment already complete (a player may have fetched its captions): one heard late
/// starts where the open segment does.
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

            // Where the open segment starts (the end of the last complete one when none is open) is the earliest a cue may go.
            double floor = _open is { Parts.Count: > 0 } open ? open.Parts[0].MediaStart : _mediaTime;
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

    /// <summary>The subtitles playlist: the complete segments listed now; null when the stream carries no timed text.</summary>
    public byte[]? RenderSubtitlesPlaylist()
    {
        if (TimedText is null)
        {
            return null;
        }

        var output = new ArrayBufferWriter<byte>(1024);
        lock (_sync)
        {
            var complete = new List<PlaylistSegment>(_segments.Count - _listedFrom);
            for (int i = _listedFrom; i < _segments.Count; i++)
            {
                if (_segments[i].Info.IsComplete && _segments[i].Parts.Count > 0)
                {
                    complete.Add(_segments[i].Info);
                }
            }

            SubtitlesPlaylistWriter.Write(output, _header.TargetDuration, complete, _discontinuitySequence, _ended);
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>The WebVTT segment beside complete media segment <paramref name="msn"/>: the cues that start in it; null when there is none.</summary>
    public byte[]? RenderSubtitles(long msn)
    {
        if (TimedText is null)
        {
            return null;
        }

        var output = new ArrayBufferWriter<byte>(512);
        lock (_sync)
        {
            var segment = _segments.Find(s => s.Msn == msn);
            if (segment is null || !segment.Info.IsComplete || segment.Parts.Count == 0)
            {
                return null;
            }

            double start = segment.Parts[0].MediaStart, end = segment.Parts[^1].MediaEnd;
            WebVttSegmentWriter.Write(output, start, _cues.Where(c => c.Start >= start && c.Start < end).OrderBy(c => c.Start));
        }

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
