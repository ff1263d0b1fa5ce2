using System.Buffers;
using Stagecast.Media.Hls;
using Stagecast.Streaming;

namespace Stagecast.Hls.Storage;

/// <summary>
/// A timed text track beside the media: cues said on the server's clock, placed on the media timeline by when each
/// segment's first frame arrived (its program date-time), and served as a WebVTT segment beside each part, each with
/// every cue shown during it (a player that missed one file gets the cue from the next). A cue is never placed in a
/// part already made (a player may have fetched its captions): one heard later, as nearly every one is (an utterance is
/// recognised once it ends), starts at the live edge, where the next part will.
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
    /// The subtitles playlist as it stands now (a WebVTT segment beside each part of the listed segments); null when the
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

            var entries = new List<SubtitlesEntry>();
            for (int i = _listedFrom; i < _segments.Count; i++)
            {
                var segment = _segments[i];
                foreach (var part in segment.Parts)
                {
                    var at = segment.Info.ProgramDateTime.AddSeconds(part.MediaStart - segment.Parts[0].MediaStart);
                    entries.Add(new SubtitlesEntry(part.Number, part.Duration, at, segment.Info.Discontinuity && part.IndexInSegment == 0));
                }
            }

            var output = new ArrayBufferWriter<byte>(64 * (entries.Count + 1));
            SubtitlesPlaylistWriter.Write(output, entries, _discontinuitySequence, _ended);
            byte[] playlist = output.WrittenSpan.ToArray();
            if (_snapshot is { } current)
            {
                current.SubtitlesRendered = playlist;
            }

            return playlist;
        }
    }

    /// <summary>The WebVTT segment beside part <paramref name="number"/>: the cues shown during it; null when there is none.</summary>
    public byte[]? RenderSubtitles(long number)
    {
        lock (_sync)
        {
            return FindPartLocked(number) is { } part ? RenderCues(part.MediaStart, part.MediaEnd) : null;
        }
    }

    /// <summary>A WebVTT file from <paramref name="start"/> to <paramref name="end"/> with the cues shown then (under the lock).</summary>
    private byte[]? RenderCues(double start, double end)
    {
        if (TimedText is null)
        {
            return null;
        }

        var output = new ArrayBufferWriter<byte>(512);
        WebVttSegmentWriter.Write(output, start, _cues.Where(c => c.Start < end && (c.End > start || c.Start >= start)).OrderBy(c => c.Start));
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Forgets the cues over before the oldest segment held (under the lock, as segments are evicted).</summary>
    private void EvictCues()
    {
        if (_cues.Count > 0 && _segments.Count > 0 && _segments[0].Parts.Count > 0)
        {
            double oldest = _segments[0].Parts[0].MediaStart;
            _cues.RemoveAll(c => c.End < oldest);
        }
    }
}
