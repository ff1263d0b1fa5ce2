using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Stagecast.Hls.Storage;
using Stagecast.Streaming;
using Stagecast.Testing;

namespace Stagecast.Hls.Tests;

/// <summary>
/// A stream's timed text track as WebVTT subtitles: cues said on the server's clock land on the media timeline by when
/// each segment's media arrived, one WebVTT segment beside each part under the part's number, each with every cue shown
/// during it, and a cue heard after the part it was said in was made goes to the live edge, so a file a player may have
/// fetched never changes.
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
        Assert.Equal("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000\n", part5); // nothing said: an empty part

        Assert.True(_stream.AddCue(new TimedTextCue(T0.AddSeconds(2.4), T0.AddSeconds(3.4), "hello <world>", "Ada"))); // part 4 is made
        Assert.True(_stream.AddCue(new TimedTextCue(T0.AddSeconds(0.5), T0.AddSeconds(1.5), "heard late", null))); // segment 0 is complete
        Assert.True(_stream.AddCue(new TimedTextCue(T0.AddSeconds(3.2), T0.AddSeconds(3.4), "just now", null))); // media not past it yet
        Assert.True(_stream.AddCue(new TimedTextCue(T0.AddSeconds(4.2), T0.AddSeconds(5), "next one", null))); // media not here yet
        Assert.Equal(part5, SubtitlesPart(5)); // a part made before never changes
        Assert.Null(_stream.RenderSubtitles(6)); // the part being made has no file yet

        AddParts(2); // parts 6 and 7: 3-4 s
        _stream.CompleteSegment();
        Segment(T0.AddSeconds(4), parts: 4, complete: true); // parts 8-11: 4-6 s
        _stream.Publish();

        // Each file has every cue shown during it, at its time on the media timeline: one that spans files is in each.
        const string Hello = "00:00:03.000 --> 00:00:04.000\n<v Ada>hello &lt;world&gt;\n";
        const string Late = "00:00:03.000 --> 00:00:04.000\nheard late\n";
        const string JustNow = "00:00:03.200 --> 00:00:03.400\njust now\n";
        const string Next = "00:00:04.200 --> 00:00:05.000\nnext one\n";
        Assert.Equal("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000\n", SubtitlesPart(0)); // nothing said: an empty file
        Assert.Equal("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000\n\n" + Hello + "\n" + Late + "\n" + JustNow, SubtitlesPart(6));
        Assert.Equal("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000\n\n" + Hello + "\n" + Late, SubtitlesPart(7));
        Assert.Equal("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000\n\n" + Next, SubtitlesPart(8));
        Assert.Equal(SubtitlesPart(8), SubtitlesPart(9));
        Assert.Equal("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000\n", SubtitlesPart(10));
        Assert.Null(_stream.RenderSubtitles(12));

        string playlist = Encoding.UTF8.GetString(_stream.RenderSubtitlesPlaylist()!);
        Assert.Equal(
            "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:0\n" +
            string.Concat(Enumerable.Range(0, 12).Select(n => $"#EXT-X-PROGRAM-DATE-TIME:{T0.AddSeconds(n * 0.5):yyyy-MM-ddTHH:mm:ss.fff}Z\n#EXTINF:0.50000,\nsubs{n}.vtt\n")),
            playlist);
        Assert.Same(_stream.RenderSubtitlesPlaylist(), _stream.RenderSubtitlesPlaylist()); // rendered once per published playlist

        _stream.End();
        Assert.EndsWith("subs11.vtt\n#EXT-X-ENDLIST\n", Encoding.UTF8.GetString(_stream.RenderSubtitlesPlaylist()!));
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
        Assert.Contains($"\ncue {first / 4}\n", SubtitlesPart(first + 1)); // said half a second into its segment
        Assert.Equal(options.WindowSegments * 4, System.Text.RegularExpressions.Regex.Matches(playlist, "^subs\\d+\\.vtt$", System.Text.RegularExpressions.RegexOptions.Multiline).Count);
    }

    [Fact]
    public void ACaptionWrittenInTheHubReachesEveryReaderAndThePackagerMakesItACue()
    {
        var registry = new HlsStreamRegistry();
        var packager = new HlsPackager(registry, Options.Create(new HlsOptions()), _time, [new Captions("s1")], NullLogger<HlsPackager>.Instance);
        var hub = TestHub.Create(_time, new StreamHubOptions(), packager);
        Assert.Equal(PublishResult.Started, hub.TryPublish("s1", new PublisherInfo("rtmp", "127.0.0.1:1"), out var publisher));
        using var reader = publisher!.Stream.AddReader("recorder");
        publisher.SetVideoConfig(SyntheticMedia.Video720p);
        foreach (var frame in SyntheticMedia.Video(2))
        {
            publisher.Write(frame);
        }

        var cue = new TimedTextCue(T0, T0.AddSeconds(1), "said in the stream", "Ada");
        Assert.True(publisher.Stream.WriteTimedText(cue));
        foreach (var frame in SyntheticMedia.Video(2, startMs: 2000))
        {
            publisher.Write(frame);
        }

        List<object?> read = [];
        while (reader.TryRead(out var frame))
        {
            if (frame.Kind == MediaFrameKind.TimedText)
            {
                read.Add(frame.Detail);
            }

            frame.Release();
        }

        Assert.Equal([cue], read); // beside the media, for any reader (a recorder, an output)
        Assert.True(registry.TryGet("s1", out var packaged));
        Assert.Equal("en", packaged.TimedText!.Language);
        var withCue = Enumerable.Range(0, 16).Select(n => packaged.RenderSubtitles(n)).OfType<byte[]>().Select(Encoding.UTF8.GetString)
            .Where(vtt => vtt.Contains("<v Ada>said in the stream", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(withCue); // at the live edge when it came, in the parts it is shown during

        publisher.Unpublish();
        Assert.False(publisher.Stream.WriteTimedText(cue)); // the stream has ended
    }

    public void Dispose() => _stream.Dispose();

    /// <summary>The server's transcription as the packager asks it: stream <paramref name="captioned"/> carries English captions.</summary>
    private sealed class Captions(string captioned) : ITimedTextSource
    {
        public TimedTextTrack? TrackOf(string streamId) => streamId == captioned ? new TimedTextTrack("English", "en") : null;
    }

    private string SubtitlesPart(long number) => Encoding.UTF8.GetString(_stream.RenderSubtitles(number) ?? throw new InvalidOperationException($"no subtitles for part {number}"));

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
