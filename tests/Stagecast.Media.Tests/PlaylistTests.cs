using System.Buffers;
using System.Text;
using Stagecast.Media.Hls;

namespace Stagecast.Media.Tests;

public class PlaylistTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void MediaPlaylistWithPartsAndPreloadHint()
    {
        var first = Segment(10, 0, discontinuity: false, 0, (0.33333, true), (0.33333, false), (0.33334, false));
        var second = Segment(11, 0, discontinuity: false, 3, (0.33333, true), (0.2, false));
        first.Complete();
        second.Complete();
        var open = Segment(12, 0, discontinuity: false, 5, (0.334, true));

        string playlist = Render(new MediaPlaylistHeader(2, 0.334), [first, second, open], partsFrom: 1, 0, preloadHint: 6, endList: false);

        Assert.Equal(
            """
            #EXTM3U
            #EXT-X-VERSION:6
            #EXT-X-TARGETDURATION:2
            #EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.002
            #EXT-X-PART-INF:PART-TARGET=0.334
            #EXT-X-MEDIA-SEQUENCE:10
            #EXT-X-MAP:URI="init0.mp4"
            #EXT-X-PROGRAM-DATE-TIME:2026-11-21T10:00:10.000Z
            #EXTINF:1.00000,
            seg10.m4s
            #EXT-X-PROGRAM-DATE-TIME:2026-11-21T10:00:11.000Z
            #EXT-X-PART:DURATION=0.33333,URI="part3.m4s",INDEPENDENT=YES
            #EXT-X-PART:DURATION=0.20000,URI="part4.m4s"
            #EXTINF:0.53333,
            seg11.m4s
            #EXT-X-PROGRAM-DATE-TIME:2026-11-21T10:00:12.000Z
            #EXT-X-PART:DURATION=0.33400,URI="part5.m4s",INDEPENDENT=YES
            #EXT-X-PRELOAD-HINT:TYPE=PART,URI="part6.m4s"

            """,
            playlist);
    }

    [Fact]
    public void DiscontinuityNewMapAndEndList()
    {
        var first = Segment(4, 0, discontinuity: false, 0, (1.0, true));
        var second = Segment(5, 1, discontinuity: true, 1, (0.5, true));
        first.Complete();
        second.Complete();

        string playlist = Render(new MediaPlaylistHeader(2, 0.5), [first, second], partsFrom: 2, discontinuitySequence: 3, preloadHint: null, endList: true);

        Assert.Equal(
            """
            #EXTM3U
            #EXT-X-VERSION:6
            #EXT-X-TARGETDURATION:2
            #EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.5
            #EXT-X-PART-INF:PART-TARGET=0.5
            #EXT-X-MEDIA-SEQUENCE:4
            #EXT-X-DISCONTINUITY-SEQUENCE:3
            #EXT-X-MAP:URI="init0.mp4"
            #EXT-X-PROGRAM-DATE-TIME:2026-11-21T10:00:04.000Z
            #EXTINF:1.00000,
            seg4.m4s
            #EXT-X-DISCONTINUITY
            #EXT-X-MAP:URI="init1.mp4"
            #EXT-X-PROGRAM-DATE-TIME:2026-11-21T10:00:05.000Z
            #EXTINF:0.50000,
            seg5.m4s
            #EXT-X-ENDLIST

            """,
            playlist);
    }

    [Fact]
    public void MultivariantPlaylistListsEveryRenditionSourceFirst()
    {
        var output = new ArrayBufferWriter<byte>();
        MultivariantPlaylistWriter.Write(output,
        [
            new(2_500_000, 2_100_000, "avc1.64001f,mp4a.40.2", 1280, 720, 30, "ab12/p1/stream.m3u8"),
            new(800_000, null, "avc1.4d401e,mp4a.40.2", 640, 360, 30, "ab12/p1/360p_stream.m3u8"),
        ]);
        Assert.Equal(
            """
            #EXTM3U
            #EXT-X-VERSION:6
            #EXT-X-INDEPENDENT-SEGMENTS
            #EXT-X-STREAM-INF:BANDWIDTH=2500000,AVERAGE-BANDWIDTH=2100000,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1280x720,FRAME-RATE=30.000
            ab12/p1/stream.m3u8
            #EXT-X-STREAM-INF:BANDWIDTH=800000,CODECS="avc1.4d401e,mp4a.40.2",RESOLUTION=640x360,FRAME-RATE=30.000
            ab12/p1/360p_stream.m3u8

            """,
            Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void AudioOnlyMultivariantHasNoResolution()
    {
        var output = new ArrayBufferWriter<byte>();
        MultivariantPlaylistWriter.Write(output, [new(128_000, null, "mp4a.40.2", 0, 0, null, "x/stream.m3u8")]);
        Assert.Contains("#EXT-X-STREAM-INF:BANDWIDTH=128000,CODECS=\"mp4a.40.2\"\n", Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void ARenditionsPlaylistNamesItsFilesListsGapsAndReportsTheOthers()
    {
        var header = new MediaPlaylistHeader(2, 0.5);
        PlaylistSegment[] segments =
        [
            PlaylistSegment.Gap(4, 0, Start.AddSeconds(4), 2.0),
            Segment(5, 0, false, 20, (0.5, true), (0.5, false)),
        ];
        string playlist = Render(header, segments, partsFrom: 1, discontinuitySequence: 0, preloadHint: 22, endList: false,
            rendition: "360p", reports: [new RenditionReport("stream.m3u8", 5, 2), new RenditionReport("180p_stream.m3u8", 5, 1)]);
        Assert.Equal(
            """
            #EXTM3U
            #EXT-X-VERSION:6
            #EXT-X-TARGETDURATION:2
            #EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.5
            #EXT-X-PART-INF:PART-TARGET=0.5
            #EXT-X-MEDIA-SEQUENCE:4
            #EXT-X-MAP:URI="360p_init0.mp4"
            #EXT-X-PROGRAM-DATE-TIME:2026-11-21T10:00:04.000Z
            #EXT-X-GAP
            #EXTINF:2.00000,
            360p_seg4.m4s
            #EXT-X-PROGRAM-DATE-TIME:2026-11-21T10:00:05.000Z
            #EXT-X-PART:DURATION=0.50000,URI="360p_part20.m4s",INDEPENDENT=YES
            #EXT-X-PART:DURATION=0.50000,URI="360p_part21.m4s"
            #EXT-X-PRELOAD-HINT:TYPE=PART,URI="360p_part22.m4s"
            #EXT-X-RENDITION-REPORT:URI="stream.m3u8",LAST-MSN=5,LAST-PART=2
            #EXT-X-RENDITION-REPORT:URI="180p_stream.m3u8",LAST-MSN=5,LAST-PART=1

            """,
            playlist);
    }

    [Fact]
    public void ARenditionsFileNamesSplitIntoTheRenditionAndTheName()
    {
        Assert.Equal("360p_stream.m3u8", HlsNaming.MediaPlaylistOf("360p"));
        Assert.Equal(HlsNaming.MediaPlaylist, HlsNaming.MediaPlaylistOf(null));
        Assert.Equal(("360p", "part12.m4s"), HlsNaming.SplitRendition("360p_part12.m4s"));
        Assert.Equal(((string?)null, "part12.m4s"), HlsNaming.SplitRendition("part12.m4s"));
        Assert.Equal(((string?)null, "_part12.m4s"), HlsNaming.SplitRendition("_part12.m4s"));
    }

    [Fact]
    public void NamesRoundTrip()
    {
        Assert.True(HlsNaming.TryParsePart(HlsNaming.Part(42), out long part));
        Assert.Equal(42, part);
        Assert.True(HlsNaming.TryParseSegment(HlsNaming.Segment(7), out long msn));
        Assert.Equal(7, msn);
        Assert.True(HlsNaming.TryParseInit(HlsNaming.Init(3), out int map));
        Assert.Equal(3, map);
        Assert.True(HlsNaming.TryParseSubtitles(HlsNaming.Subtitles(5), out long subtitles));
        Assert.Equal(5, subtitles);
        Assert.False(HlsNaming.TryParseSubtitles(HlsNaming.Part(5), out _));
        Assert.False(HlsNaming.TryParsePart("part-1.m4s", out _));
        Assert.False(HlsNaming.TryParseSegment("seg1.mp4", out _));
        Assert.False(HlsNaming.TryParseInit("init.mp4", out _));
    }

    private static PlaylistSegment Segment(long msn, int map, bool discontinuity, long firstPart, params (double Duration, bool Independent)[] parts)
    {
        var segment = new PlaylistSegment(msn, map, Start.AddSeconds(msn), discontinuity);
        foreach (var (duration, independent) in parts)
        {
            segment.AddPart(new PlaylistPart(firstPart++, duration, independent));
        }

        return segment;
    }

    private static string Render(MediaPlaylistHeader header, PlaylistSegment[] segments, int partsFrom, long discontinuitySequence, long? preloadHint, bool endList,
        string? rendition = null, RenditionReport[]? reports = null)
    {
        var output = new ArrayBufferWriter<byte>();
        MediaPlaylistWriter.Write(output, header, segments, partsFrom, discontinuitySequence, preloadHint, endList, rendition, reports);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }
}
