using System.Text;
using Stagecast.Hls.Muxing;
using Stagecast.Hls.Storage;
using Stagecast.Media.Hls;
using Stagecast.Streaming;
using Stagecast.Testing;

namespace Stagecast.Hls.Tests;

/// <summary>An encode packaged beside its source: the same parts under the same numbers, gaps where it lost frames.</summary>
public sealed class RenditionFollowingTests : IDisposable
{
    private readonly HlsOptions _options = new() { WindowSegments = 10 };
    private readonly HlsStream _source;
    private readonly HlsStream _encode;
    private readonly HlsMuxer _sourceMuxer;
    private readonly HlsMuxer _encodeMuxer;

    public RenditionFollowingTests()
    {
        _source = new HlsStream("s1", "e1", _options, TimeProvider.System);
        _encode = new HlsStream(_source, "360p");
        _source.AddRendition(_encode);
        _sourceMuxer = new HlsMuxer(_source, _options, TimeProvider.System);
        _encodeMuxer = new HlsMuxer(_encode, _options, TimeProvider.System, _source.Timeline);
    }

    [Fact]
    public void AnEncodeListsTheSourcesPartsAndSegmentsUnderTheSameNumbersAndMediaTimes()
    {
        Feed(_sourceMuxer, SourceConfigs());
        Feed(_encodeMuxer, SourceConfigs());
        // The encode runs behind its source: each of its frames arrives after the source's next few.
        var source = SyntheticMedia.Interleave(SyntheticMedia.Video(4.5, startMs: 1000), SyntheticMedia.Audio(4.5, startMs: 1000)).ToList();
        var encode = SyntheticMedia.Interleave(SyntheticMedia.Video(4.0, startMs: 1000), SyntheticMedia.Audio(4.0, startMs: 1000)).ToList();
        int e = 0;
        foreach (var frame in source)
        {
            Feed(_sourceMuxer, frame);
            while (e < encode.Count && encode[e].Timestamp <= frame.Timestamp - 200)
            {
                Feed(_encodeMuxer, encode[e++]);
            }
        }

        var sourceList = Playlist(_source);
        var encodeList = Playlist(_encode);
        Assert.Equal(sourceList.MediaSequence, encodeList.MediaSequence);
        var sourceParts = sourceList.Segments.SelectMany(s => s.Parts.Select(p => (s.Msn, p.Uri, p.Duration, p.Independent))).ToList();
        var encodeParts = encodeList.Segments.SelectMany(s => s.Parts.Select(p => (s.Msn, Uri: p.Uri.Replace("360p_", ""), p.Duration, p.Independent))).ToList();
        Assert.True(encodeParts.Count >= 9, $"{encodeParts.Count} parts");
        for (int i = 0; i < encodeParts.Count - 1; i++) // the newest may still be open in one and closed in the other
        {
            Assert.Equal((sourceParts[i].Msn, sourceParts[i].Uri, sourceParts[i].Independent), (encodeParts[i].Msn, encodeParts[i].Uri, encodeParts[i].Independent));
            Assert.Equal(sourceParts[i].Duration, encodeParts[i].Duration, 3);
        }

        // The same part of each starts at the same decode time, and counts the same media seconds toward a viewer.
        Assert.True(HlsNaming.TryParsePart(sourceParts[4].Uri, out long number));
        Assert.Equal(DecodeTime(_source, number), DecodeTime(_encode, number));
        Assert.True(_source.TryGetPart(number, out var a, out var sourceMedia));
        Assert.True(_encode.TryGetPart(number, out var b, out var encodeMedia));
        a.Release();
        b.Release();
        Assert.Equal(sourceMedia.Start, encodeMedia.Start, 6);
        Assert.Same(_source.Viewers, _encode.Viewers);

        // Each playlist reports where the other stands.
        Assert.Equal("360p_stream.m3u8", Assert.Single(sourceList.RenditionReports).Uri);
        var report = Assert.Single(encodeList.RenditionReports);
        Assert.Equal("stream.m3u8", report.Uri);
        Assert.Equal(sourceList.Segments[^1].Msn, report.LastMsn);
    }

    [Fact]
    public void AnEncodeThatLostFramesListsTheSegmentsItMissedAsGapsAndStartsAgainAtASourceSegment()
    {
        Feed(_sourceMuxer, SourceConfigs());
        Feed(_encodeMuxer, SourceConfigs());
        Feed(_sourceMuxer, SyntheticMedia.Video(6.0).ToArray());
        // The encode has 0 to 1.5 s, loses 1.5 to 3.5 s, and has 3.5 s on: it can start again at the keyframe at 4 s.
        Feed(_encodeMuxer, SyntheticMedia.Video(6.0).Where(f => f.Timestamp < 1500 || f.Timestamp >= 3500).Where(f => f.Timestamp < 5500).ToArray());

        var encodeList = Playlist(_encode);
        var sourceList = Playlist(_source);
        Assert.Equal(0, encodeList.MediaSequence);
        Assert.Equal([false, false, true, true, false], encodeList.Segments.Take(5).Select(s => s.Gap).ToArray());
        Assert.Equal(sourceList.Segments[2].Duration, encodeList.Segments[2].Duration);
        Assert.Equal(sourceList.Segments[4].Parts.Select(p => p.Uri), encodeList.Segments[4].Parts.Select(p => p.Uri.Replace("360p_", "")));
        Assert.Equal("360p_seg2.m4s", encodeList.Segments[2].Uri);
    }

    [Fact]
    public void RenditionsAreListedFromTheTallestWhateverOrderTheyStartIn()
    {
        _source.AddRendition(new HlsStream(_source, "180p"));
        _source.AddRendition(new HlsStream(_source, "720p"));
        Assert.Equal(["720p", "360p", "180p"], _source.Renditions.Select(r => r.Rendition!).ToArray());
    }

    public void Dispose()
    {
        _sourceMuxer.Dispose();
        _encodeMuxer.Dispose();
        _source.Dispose();
    }

    private static MediaFrame[] SourceConfigs() => [SyntheticMedia.Config(SyntheticMedia.Video720p), SyntheticMedia.Config(SyntheticMedia.Audio48k)];

    private static void Feed(HlsMuxer muxer, params MediaFrame[] frames)
    {
        foreach (var frame in frames)
        {
            muxer.Process(frame);
            muxer.PublishIfChanged();
        }
    }

    private static ulong DecodeTime(HlsStream stream, long part)
    {
        Assert.True(stream.TryGetPart(part, out var buffer));
        ulong decodeTime = Box.FirstTrackDecodeTime(buffer.Memory.Span);
        buffer.Release();
        return decodeTime;
    }

    private static ParsedPlaylist Playlist(HlsStream stream) => ParsedPlaylist.Parse(Encoding.UTF8.GetString(stream.Snapshot!.Playlist));
}
