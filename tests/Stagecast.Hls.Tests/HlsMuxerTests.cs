using System.Text;
using Stagecast.Hls.Muxing;
using Stagecast.Hls.Storage;
using Stagecast.Media.Hls;
using Stagecast.Streaming;
using Stagecast.Testing;

namespace Stagecast.Hls.Tests;

public sealed class HlsMuxerTests : IDisposable
{
    private readonly HlsOptions _options = new() { WindowSegments = 6 };
    private readonly HlsStream _output;
    private readonly HlsMuxer _muxer;

    public HlsMuxerTests()
    {
        _output = new HlsStream("s1", "e1", _options, TimeProvider.System);
        _muxer = new HlsMuxer(_output, _options, TimeProvider.System);
    }

    [Fact]
    public void VideoAndAudioMakeKeyframeAlignedSegmentsOfFullParts()
    {
        Feed(SyntheticMedia.Config(SyntheticMedia.Video720p), SyntheticMedia.Config(SyntheticMedia.Audio48k));
        Feed(SyntheticMedia.Interleave(SyntheticMedia.Video(5.5), SyntheticMedia.Audio(5.5)));

        var playlist = Playlist();
        Assert.Equal(0.334, playlist.PartTarget);
        Assert.Equal(3 * 0.334, playlist.PartHoldBack, 6);
        Assert.Equal(2, playlist.TargetDuration);
        var complete = playlist.Segments.Where(s => s.Duration is not null).ToList();
        Assert.Equal(5, complete.Count);
        Assert.All(complete, s => Assert.Equal(1.0, s.Duration!.Value, 2));
        Assert.All(playlist.Segments, s => Assert.True(s.Parts[0].Independent));
        Assert.All(playlist.Parts, p => Assert.True(p.Duration <= playlist.PartTarget));
        Assert.All(complete.Where(s => s.Parts.Count > 0), s => Assert.Equal(3, s.Parts.Count)); // ten frames each
        Assert.Equal(HlsNaming.Part(playlist.Parts.Count() + PartsBefore(playlist)), playlist.PreloadHint);
    }

    [Fact]
    public void PartsAreMoofAndMdatWithSyncSamplesWhereIndependent()
    {
        Feed(SyntheticMedia.Config(SyntheticMedia.Video720p), SyntheticMedia.Config(SyntheticMedia.Audio48k));
        Feed(SyntheticMedia.Interleave(SyntheticMedia.Video(2.2), SyntheticMedia.Audio(2.2)));

        var playlist = Playlist();
        foreach (var part in playlist.Parts)
        {
            Assert.True(HlsNaming.TryParsePart(part.Uri, out long number));
            Assert.True(_output.TryGetPart(number, out var buffer));
            var boxes = Box.Parse(buffer.Memory.Span);
            buffer.Release();
            Assert.Equal(["moof", "mdat"], boxes.Select(b => b.Type));
            var trafs = boxes[0].Children.Where(b => b.Type == "traf").ToList();
            var videoRun = trafs[0].Child("trun");
            uint firstSampleFlags = videoRun.UInt32At(12 + 8);
            Assert.Equal(part.Independent, firstSampleFlags == 0x02000000);

            // trun data offsets point into the mdat right after the moof.
            Assert.Equal(boxes[0].Payload.Length + 8 + 8, (int)videoRun.UInt32At(8));
        }
    }

    [Fact]
    public void BFramesCarryCompositionOffsets()
    {
        Feed(SyntheticMedia.Config(SyntheticMedia.Video720p));
        Feed(SyntheticMedia.Video(1.5, compositionOffset: 66));

        Assert.True(_output.TryGetPart(0, out var buffer));
        var trun = Box.Find(Box.Parse(buffer.Memory.Span), "moof/traf/trun");
        buffer.Release();
        Assert.Equal(0, (int)trun.UInt32At(12 + 12)); // keyframe
        Assert.Equal(66 * 90, (int)trun.UInt32At(12 + 16 + 12)); // second sample: 66 ms in 90 kHz
    }

    [Fact]
    public void AudioOnlyStreamsMakeIndependentParts()
    {
        Feed(SyntheticMedia.Config(SyntheticMedia.Audio48k));
        Feed(SyntheticMedia.Audio(4));

        var playlist = Playlist();
        Assert.All(playlist.Parts, p => Assert.True(p.Independent));
        Assert.All(playlist.Parts, p => Assert.True(p.Duration <= playlist.PartTarget));
        Assert.All(playlist.Segments.Where(s => s.Duration is not null), s => Assert.InRange(s.Duration!.Value, 0.9, 1.4));
        Assert.Null(_output.CurrentLayout!.Value.Video);
    }

    [Fact]
    public void VideoOnlyStreamsHaveOneTrack()
    {
        Feed(SyntheticMedia.Config(SyntheticMedia.Video720p));
        Feed(SyntheticMedia.Video(3));
        Assert.True(Playlist().Segments.Count >= 2);
        Assert.Null(_output.CurrentLayout!.Value.Audio);
    }

    [Fact]
    public void LongKeyframeIntervalsStillRespectTheTargetDuration()
    {
        Feed(SyntheticMedia.Config(SyntheticMedia.Video720p));
        Feed(SyntheticMedia.Video(12, gop: 300));

        var playlist = Playlist();
        var complete = playlist.Segments.Where(s => s.Duration is not null).ToList();
        Assert.True(complete.Count >= 4);
        Assert.All(complete, s => Assert.True(Math.Round(s.Duration!.Value) <= playlist.TargetDuration));
    }

    [Fact]
    public void PublisherReconnectAddsADiscontinuityOnTheSameMap()
    {
        Feed(SyntheticMedia.Config(SyntheticMedia.Video720p), SyntheticMedia.Config(SyntheticMedia.Audio48k));
        Feed(SyntheticMedia.Interleave(SyntheticMedia.Video(2), SyntheticMedia.Audio(2)));
        Feed(SyntheticMedia.Event(MediaFrameKind.PublisherLeft), SyntheticMedia.Event(MediaFrameKind.PublisherResumed));
        Feed(SyntheticMedia.Interleave(SyntheticMedia.Video(2, startMs: 2040), SyntheticMedia.Audio(2, startMs: 2040)));

        var playlist = Playlist();
        var resumed = Assert.Single(playlist.Segments, s => s.Discontinuity);
        Assert.Equal("init0.mp4", resumed.Map);
        Assert.True(resumed.Parts[0].Independent);
    }

    [Fact]
    public void NewConfigurationGetsANewInitSegment()
    {
        Feed(SyntheticMedia.Config(SyntheticMedia.Video720p));
        Feed(SyntheticMedia.Video(2));
        Feed(SyntheticMedia.Config(SyntheticMedia.Video1080p));
        Feed(SyntheticMedia.Video(2, startMs: 2000));

        var playlist = Playlist();
        var switched = Assert.Single(playlist.Segments, s => s.Discontinuity);
        Assert.Equal("init1.mp4", switched.Map);
        Assert.True(_output.TryGetInit(1, out _, out var layout));
        Assert.Equal(1080, layout.Video!.Height);
    }

    [Fact]
    public void ASegmentIsListedCompleteAsSoonAsTheKeyframeAfterItArrives()
    {
        Feed(SyntheticMedia.Config(SyntheticMedia.Video720p));
        Feed(SyntheticMedia.Video(1.0));
        Assert.Equal(-1, _output.Snapshot!.LastCompleteMsn);

        Feed(SyntheticMedia.Video(1.0, startMs: 1000).First()); // the next keyframe, nothing of the next part yet

        Assert.Equal(0, _output.Snapshot!.LastCompleteMsn);
        var segment = Assert.Single(Playlist().Segments);
        Assert.Equal(1.0, segment.Duration!.Value, 2);
    }

    [Fact]
    public void EndedStreamEndsThePlaylist()
    {
        Feed(SyntheticMedia.Config(SyntheticMedia.Video720p));
        Feed(SyntheticMedia.Video(1.5));
        Feed(SyntheticMedia.Event(MediaFrameKind.StreamEnded));

        var playlist = Playlist();
        Assert.True(playlist.EndList);
        Assert.Null(playlist.PreloadHint);
        Assert.All(playlist.Segments, s => Assert.NotNull(s.Duration));
        Assert.True(_output.IsEnded);
    }

    [Fact]
    public void TheWindowSlidesAndKeepsPartTargetFixed()
    {
        Feed(SyntheticMedia.Config(SyntheticMedia.Video720p), SyntheticMedia.Config(SyntheticMedia.Audio48k));
        var targets = new HashSet<double>();
        for (int second = 0; second < 20; second++)
        {
            Feed(SyntheticMedia.Interleave(SyntheticMedia.Video(1, startMs: second * 1000), SyntheticMedia.Audio(1, startMs: second * 1000)));
            targets.Add(Playlist().PartTarget);
        }

        var playlist = Playlist();
        Assert.Single(targets);
        Assert.True(playlist.MediaSequence >= 13);
        Assert.True(playlist.Segments.Count(s => s.Duration is not null) <= _options.WindowSegments);
        Assert.False(_output.TryGetPart(0, out _)); // evicted long ago
    }

    public void Dispose()
    {
        _muxer.Dispose();
        _output.Dispose();
    }

    private static long PartsBefore(ParsedPlaylist playlist) =>
        HlsNaming.TryParsePart(playlist.Parts.First().Uri, out long first) ? first : 0;

    private void Feed(params MediaFrame[] frames) => Feed((IEnumerable<MediaFrame>)frames);

    private void Feed(IEnumerable<MediaFrame> frames)
    {
        foreach (var frame in frames)
        {
            _muxer.Process(frame);
            _muxer.PublishIfChanged();
        }
    }

    private ParsedPlaylist Playlist() => ParsedPlaylist.Parse(Encoding.UTF8.GetString(_output.Snapshot!.Playlist));
}
