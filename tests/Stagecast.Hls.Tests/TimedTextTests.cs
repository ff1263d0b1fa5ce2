using System.Text;
using Microsoft.Extensions.Time.Testing;
using Stagecast.Hls.Storage;
using Stagecast.Testing;

namespace Stagecast.Hls.Tests;

/// <summary>
/// A stream's timed text track as WebVTT subtitles: cues said on the server's clock land on the media timeline by when
/// each segment's media arrived, one WebVTT segment beside each media segment and one WebVTT part beside each part,
/// under the same numbers, and a cue heard after the part it was said in was made goes to the live edge, so a part a
/// player may have fetched never changes.
/// </summary>
public sealed class TimedTextTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 18, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(T0);
    private readonly HlsStream _stream;

    public TimedTextTests()
    {
        _stream = new HlsStream("s1", "e1", new HlsOptions(), _time);
        _stream.AddInit(new Media.Fmp4.TrackLayout(SyntheticMedia.Video720p, null), [1, 2, 3]);
    }

    [Fact]
    public void CuesLandWhereTheyWereSaidOrAtTheLiveEdgeNeverInAPartAlreadyMade()
    {
        _stream.Carry(new TimedTextTrack("English", "en"));
        Segment(T0, parts: 4, complete: true); // media 0-2 s, parts 0-3
        Segment(T0.AddSeconds(2), parts: 2, complete: false); // media 2-3 s so far (parts 4 and 5), open
        string part5 = SubtitlesPart(5);
        Assert.Equal("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:225000,LOCAL:00:00:00.000\n", part5); // nothing said: an empty part

        Assert.True(_stream.AddCue(new TimedTextCue(T0.AddSeconds(2.4), T0.AddSeconds(3.4), "hello <world>", "Ada"))); // part 4 is made
        Assert.True(_stream.AddCue(new TimedTextCue(T0.AddSeconds(0.5), T0.AddSeconds(1.5), "heard late", null))); // segment 0 is complete
        Assert.True(_stream.AddCue(new TimedTextCue(T0.AddSeconds(3.2), T0.AddSeconds(3.4), "just now", null))); // media not past it yet
        Assert.True(_stream.AddCue(new TimedTextCue(T0.AddSeconds(4.2), T0.AddSeconds(5), "next one", null))); // media not here yet
        Assert.Equal(part5, SubtitlesPart(5)); // a part made before never changes
        Assert.Null(_stream.RenderSubtitles(1)); // still open: the segment's file is not there yet
        Assert.Null(_stream.RenderSubtitlesPart(6)); // nor the part being made

        AddParts(2); // parts 6 and 7: 3-4 s
        _stream.CompleteSegment();
        Segment(T0.AddSeconds(4), parts: 4, complete: true); // parts 8-11: 4-6 s
        _stream.Publish();

        Assert.Equal("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000\n", Subtitles(0)); // nothing said: an empty segment
        Assert.Equal(
            "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:180000,LOCAL:00:00:00.000\n\n00:00:01.000 --> 00:00:02.000\n<v Ada>hello &lt;world&gt;\n\n" +
            "00:00:01.000 --> 00:00:02.000\nheard late\n\n00:00:01.200 --> 00:00:01.400\njust now\n",
            Subtitles(1));
        Assert.Equal(
            "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:270000,LOCAL:00:00:00.000\n\n00:00:00.000 --> 00:00:01.000\n<v Ada>hello &lt;world&gt;\n\n" +
            "00:00:00.000 --> 00:00:01.000\nheard late\n\n00:00:00.200 --> 00:00:00.400\njust now\n",
            SubtitlesPart(6));
        Assert.Equal("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:315000,LOCAL:00:00:00.000\n", SubtitlesPart(7));
        Assert.Equal("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:360000,LOCAL:00:00:00.000\n\n00:00:00.200 --> 00:00:01.000\nnext one\n", Subtitles(2));
        Assert.Equal(Subtitles(2), SubtitlesPart(8));
        Assert.Null(_stream.RenderSubtitlesPart(12));

        string playlist = Encoding.UTF8.GetString(_stream.RenderSubtitlesPlaylist()!);
        Assert.Equal(
            "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:2\n#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.002\n" +
            "#EXT-X-PART-INF:PART-TARGET=0.334\n#EXT-X-MEDIA-SEQUENCE:0\n" +
            Listed(0, "2026-11-27T18:00:00.000Z", 0) + Listed(1, "2026-11-27T18:00:02.000Z", 4) + Listed(2, "2026-11-27T18:00:04.000Z", 8),
            playlist);
        Assert.Same(_stream.RenderSubtitlesPlaylist(), _stream.RenderSubtitlesPlaylist()); // rendered once per published playlist

        _stream.End();
        Assert.EndsWith("subs2.vtt\n#EXT-X-ENDLIST\n", Encoding.UTF8.GetString(_stream.RenderSubtitlesPlaylist()!));
        Assert.False(_stream.AddCue(new TimedTextCue(T0.AddSeconds(6), T0.AddSeconds(7), "too late", null)));

        static string Listed(long msn, string date, int firstPart) =>
            $"#EXT-X-PROGRAM-DATE-TIME:{date}\n" +
            string.Concat(Enumerable.Range(firstPart, 4).Select(n => $"#EXT-X-PART:DURATION=0.50000,URI=\"subspart{n}.vtt\",INDEPENDENT=YES\n")) +
            $"#EXTINF:2.00000,\nsubs{msn}.vtt\n";
    }

    [Fact]
    public void AStreamWithoutTimedTextHasNoSubtitles()
    {
        Segment(T0, parts: 4, complete: true);
        Assert.Null(_stream.TimedText);
        Assert.False(_stream.AddCue(new TimedTextCue(T0, T0.AddSeconds(1), "unheard", null)));
        Assert.Null(_stream.RenderSubtitlesPlaylist());
        Assert.Null(_stream.RenderSubtitles(0));
    }

    [Fact]
    public void CuesOfEvictedSegmentsAreForgotten()
    {
        _stream.Carry(new TimedTextTrack("English", "en"));
        var options = new HlsOptions();
        for (int i = 0; i < options.RetainedSegments + options.WindowSegments + 3; i++)
        {
            Segment(T0.AddSeconds(2 * i), parts: 0, complete: false);
            Assert.True(_stream.AddCue(new TimedTextCue(T0.AddSeconds((2 * i) + 0.5), T0.AddSeconds((2 * i) + 1), $"cue {i}", null)));
            AddParts(4);
            _stream.CompleteSegment();
            _stream.Publish();
        }

        string playlist = Encoding.UTF8.GetString(_stream.RenderSubtitlesPlaylist()!);
        long first = long.Parse(playlist.Split("#EXT-X-MEDIA-SEQUENCE:")[1].Split('\n')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(first > 0);
        Assert.Contains($"\ncue {first}\n", Subtitles(first));
        Assert.Equal(options.WindowSegments, System.Text.RegularExpressions.Regex.Matches(playlist, "^subs\\d+\\.vtt$", System.Text.RegularExpressions.RegexOptions.Multiline).Count);
    }

    public void Dispose() => _stream.Dispose();

    private string Subtitles(long msn) => Encoding.UTF8.GetString(_stream.RenderSubtitles(msn) ?? throw new InvalidOperationException($"no subtitles for {msn}"));

    private string SubtitlesPart(long number) => Encoding.UTF8.GetString(_stream.RenderSubtitlesPart(number) ?? throw new InvalidOperationException($"no subtitles for part {number}"));

    private void Segment(DateTimeOffset arrivedAt, int parts, bool complete)
    {
        _stream.OpenSegment(false, arrivedAt);
        AddParts(parts);
        if (complete)
        {
            _stream.CompleteSegment();
        }

        _stream.Publish();
    }

    private void AddParts(int count)
    {
        for (int i = 0; i < count; i++)
        {
            _stream.AddPart(PartBuffer.Rent(10), 0.5, independent: i == 0, 0);
        }
    }
}
