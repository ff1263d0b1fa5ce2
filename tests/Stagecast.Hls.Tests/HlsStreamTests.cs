using System.Text;
using Microsoft.Extensions.Time.Testing;
using Stagecast.Hls.Storage;
using Stagecast.Testing;

namespace Stagecast.Hls.Tests;

public sealed class HlsStreamTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly HlsStream _stream;

    public HlsStreamTests()
    {
        _stream = new HlsStream("s1", "e1", new HlsOptions(), _time);
        _stream.AddInit(new Media.Fmp4.TrackLayout(SyntheticMedia.Video720p, null), [1, 2, 3]);
    }

    [Theory]
    [InlineData(5, 2, 5, 2, true)]
    [InlineData(5, 2, 5, 3, false)]
    [InlineData(5, 2, 4, 9, true)] // an earlier segment's part, whatever its index
    [InlineData(6, 0, 5, 7, true)] // segment 5 ended with fewer parts: the next segment's first part is "later"
    public void BlockingReloadIsSatisfiedByThatPartOrAnyLaterOne(long lastMsn, int lastPart, long msn, int part, bool satisfied)
    {
        var snapshot = new PlaylistSnapshot(lastMsn, lastPart, 0, lastMsn - 1, false, Task.CompletedTask);
        Assert.Equal(satisfied, snapshot.Satisfies(msn, part));
    }

    [Fact]
    public void BlockingReloadOnASegmentWaitsForItToComplete()
    {
        var snapshot = new PlaylistSnapshot(5, 1, 0, LastCompleteMsn: 4, false, Task.CompletedTask);
        Assert.True(snapshot.Satisfies(4, null));
        Assert.False(snapshot.Satisfies(5, null));
        Assert.Equal(7, snapshot.MaxRequestableMsn);
    }

    [Fact]
    public async Task BlockingRequestReturnsWhenThePartAppears()
    {
        AddSegmentWithParts(2);
        var pending = _stream.WaitForPlaylistAsync(0, 2, CancellationToken.None).AsTask();
        Assert.False(pending.IsCompleted);

        AddPart();
        _stream.Publish();
        var snapshot = await pending.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(snapshot);
        Assert.Equal((0L, 2), (snapshot.LastPartMsn, snapshot.LastPartIndex));
    }

    [Fact]
    public async Task PlaylistOfPartsAloneIsHeldUntilTheFirstSegmentCompletes()
    {
        // Regression: ffmpeg and VLC ignore EXT-X-PART and found no streams in a playlist of parts alone.
        AddSegmentWithParts(2);
        var pending = _stream.WaitForPlaylistAsync(null, null, CancellationToken.None).AsTask();
        Assert.False(pending.IsCompleted);

        _stream.CompleteSegment();
        _stream.Publish();
        var snapshot = await pending.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(0, snapshot!.LastCompleteMsn);
    }

    [Fact]
    public async Task BlockingRequestTimesOut()
    {
        AddSegmentWithParts(1);
        var pending = _stream.WaitForPlaylistAsync(1, 0, CancellationToken.None).AsTask();
        Assert.Equal(1, _stream.BlockedRequests); // the wait is registered before the call returns
        _time.Advance(TimeSpan.FromSeconds(7));
        Assert.Null(await pending.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task HintedPartIsServedWhenWrittenOtherPartsAreNotFound()
    {
        AddSegmentWithParts(1);
        Assert.Null(await _stream.WaitForPartAsync(5, CancellationToken.None)); // not the next part: no wait

        var hinted = _stream.WaitForPartAsync(1, CancellationToken.None).AsTask();
        Assert.False(hinted.IsCompleted);
        AddPart();
        _stream.Publish();
        var part = await hinted.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(part);
        Assert.Equal((0.3, 0.6), (part.MediaStart, Math.Round(part.MediaEnd, 6)));
        part.Release();
    }

    [Fact]
    public async Task OpenSegmentIsServedOnceComplete()
    {
        AddSegmentWithParts(2);
        var pending = _stream.WaitForSegmentAsync(0, CancellationToken.None).AsTask();
        Assert.False(pending.IsCompleted);
        _stream.CompleteSegment();
        _stream.Publish();
        var segment = await pending.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(2, segment!.Buffers.Length);
        Assert.Equal((0.0, 0.6), (segment.MediaStart, Math.Round(segment.MediaEnd, 6)));
        segment.Release();
    }

    [Fact]
    public async Task EndingReleasesWaitersAndPartsOutliveEvictionWhileReferenced()
    {
        AddSegmentWithParts(1);
        Assert.True(_stream.TryGetPart(0, out var held));
        var waiting = _stream.WaitForPlaylistAsync(3, 0, CancellationToken.None).AsTask();
        _stream.End();
        var snapshot = await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(snapshot!.Ended);

        _stream.Dispose();
        Assert.Equal(10, held.Memory.Length); // still readable: the request holds a reference
        held.Release();
        Assert.Throws<ObjectDisposedException>(() => held.Memory);
    }

    public void Dispose() => _stream.Dispose();

    [Fact]
    public void PlaylistIsRenderedWhenFirstAskedForAndAnOlderSnapshotGetsTheNewerOne()
    {
        AddSegmentWithParts(1);
        var first = _stream.Snapshot!;
        AddPart();
        _stream.Publish();
        var second = _stream.Snapshot!;

        // Nobody asked for the first playlist while it was current: asked now, it lists the part published since.
        var listed = ParsedPlaylist.Parse(Encoding.UTF8.GetString(first.Playlist));
        Assert.Equal(2, listed.Parts.Count());
        Assert.Same(first.Playlist, second.Playlist); // rendered once for both

        // A stream dropped before its playlist was asked for still answers the requests that hold a snapshot.
        AddPart();
        _stream.Publish();
        var last = _stream.Snapshot!;
        _stream.Dispose();
        Assert.Equal(3, ParsedPlaylist.Parse(Encoding.UTF8.GetString(last.Playlist)).Parts.Count());
    }

    private void AddSegmentWithParts(int parts)
    {
        _stream.OpenSegment(false, _time.GetUtcNow());
        for (int i = 0; i < parts; i++)
        {
            AddPart();
        }

        _stream.Publish();
    }

    private void AddPart()
    {
        var buffer = PartBuffer.Rent(10);
        _stream.AddPart(buffer, 0.3, independent: false, 0);
    }
}
