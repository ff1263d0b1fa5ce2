using System.Text;
using Microsoft.Extensions.Time.Testing;
using Stagecast.Hls.Storage;
using Stagecast.Testing;

namespace Stagecast.Hls.Tests;

/// <summary>
/// A stream's timed text track as WebVTT subtitles: cues said on the server's clock land on the media timeline by when
/// each segment's media arrived, one WebVTT segment beside each media segment under the same sequence number, and a
/// cue heard after its segment was complete goes into the open one.
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
    public void CuesLandInTheSegmentTheyWereSaidInAndLateOnesInTheOpenSegment()
    {
        _stream.Carry(new TimedTextTrack("English", "en"));
        Segment(T0, parts: 4, complete: true); // media 0-2 s
        Segment(T0.AddSeconds(2), parts: 2, complete: false); // media 2-3 s so far, open

        Assert.True(_stream.AddCue(new TimedTextCue(T0.AddSeconds(2.4), T0.AddSeconds(3.4), "hello <world>", "Ada")));
        Assert.True(_stream.AddCue(new TimedTextCue(T0.AddSeconds(0.5), T0.AddSeconds(1.5), "heard late", null))); // segment 0 is complete
        Assert.True(_stream.AddCue(new TimedTextCue(T0.AddSeconds(4.2), T0.AddSeconds(5), "next one", null))); // media not here yet
        Assert.Null(_stream.RenderSubtitles(1)); // still open: its captions are not known yet

        AddParts(2);
        _stream.CompleteSegment();
        Segment(T0.AddSeconds(4), parts: 4, complete: true);
        _stream.Publish();

        Assert.Equal("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000\n", Subtitles(0)); // nothing said: an empty segment
        Assert.Equal(
            "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:180000,LOCAL:00:00:00.000\n\n00:00:00.000 --> 00:00:01.000\nheard late\n\n" +
            "00:00:00.400 --> 00:00:01.400\n<v Ada>hello &lt;world&gt;\n",
            Subtitles(1));
        Assert.Equal("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:360000,LOCAL:00:00:00.000\n\n00:00:00.200 --> 00:00:01.000\nnext one\n", Subtitles(2));
        Assert.Equal(
            "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n" +
            "#EXT-X-PROGRAM-DATE-TIME:2026-11-27T18:00:00.000Z\n#EXTINF:2.00000,\nsubs0.vtt\n" +
            "#EXT-X-PROGRAM-DATE-TIME:2026-11-27T18:00:02.000Z\n#EXTINF:2.00000,\nsubs1.vtt\n" +
            "#EXT-X-PROGRAM-DATE-TIME:2026-11-27T18:00:04.000Z\n#EXTINF:2.00000,\nsubs2.vtt\n",
            Encoding.UTF8.GetString(_stream.RenderSubtitlesPlaylist()!));

        _stream.End();
        Assert.EndsWith("subs2.vtt\n#EXT-X-ENDLIST\n", Encoding.UTF8.GetString(_stream.RenderSubtitlesPlaylist()!));
        Assert.False(_stream.AddCue(new TimedTextCue(T0.AddSeconds(6), T0.AddSeconds(7), "too late", null)));
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
        Assert.Equal(options.WindowSegments, playlist.Split(".vtt").Length - 1);
    }

    public void Dispose() => _stream.Dispose();

    private string Subtitles(long msn) => Encoding.UTF8.GetString(_stream.RenderSubtitles(msn) ?? throw new InvalidOperationException($"no subtitles for {msn}"));

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
