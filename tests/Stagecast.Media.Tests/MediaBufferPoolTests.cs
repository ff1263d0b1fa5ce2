using Stagecast.Media;

namespace Stagecast.Media.Tests;

public sealed class MediaBufferPoolTests
{
    [Theory]
    [InlineData(0, 256)]
    [InlineData(1, 256)]
    [InlineData(256, 256)]
    [InlineData(257, 320)]
    [InlineData(512, 512)]
    [InlineData(5000, 5120)]
    [InlineData(100_000, 114_688)]
    [InlineData(131_073, 163_840)]
    [InlineData(MediaLimits.MaxMediaMessageSize, MediaLimits.MaxMediaMessageSize)]
    [InlineData(MediaLimits.MaxMediaMessageSize + 1, MediaLimits.MaxMediaMessageSize + 1)]
    public void RentsFittedLengths(int asked, int length) =>
        Assert.Equal(length, new MediaBufferPool(1 << 20).Rent(asked).Length);

    [Fact]
    public void NoArrayIsMoreThanAQuarterLongerThanAsked()
    {
        // A part of 130 KB took 256 KB when every length was a power of two.
        var pool = new MediaBufferPool(0);
        for (int asked = 257; asked < 1 << 21; asked += 997)
        {
            int length = pool.Rent(asked).Length;
            Assert.InRange(length, asked, asked + (asked / 4));
        }
    }

    [Fact]
    public void ANearLargerArrayServesAMissAndGoesBackToItsOwnSize()
    {
        var pool = new MediaBufferPool(1 << 20);
        var larger = pool.Rent(6000); // 6144
        pool.Return(larger);

        Assert.Same(larger, pool.Rent(5000)); // 5120 missed; 6144 is the next size up
        pool.Return(larger);
        Assert.Same(larger, pool.Rent(6100));

        pool.Return(larger);
        Assert.NotSame(larger, pool.Rent(3000)); // 3072 is too far below: 6144 would waste half
    }

    [Fact]
    public void TakesArraysOfTheSharedPool()
    {
        // WebRTC's depacketizers rent from ArrayPool.Shared; their buffers become frames, which come back here.
        var pool = new MediaBufferPool(1 << 20);
        var shared = System.Buffers.ArrayPool<byte>.Shared.Rent(3000); // 4096
        pool.Return(shared);
        Assert.Same(shared, pool.Rent(4000));
    }

    [Fact]
    public async Task KeepsThousandsOfArraysReturnedFromAnyThreadAndRentsThemAgain()
    {
        // A GOP cache's worth, returned at once from another thread: ArrayPool.Shared keeps a few dozen of them.
        var pool = new MediaBufferPool(64L << 20);
        var held = Enumerable.Range(0, 5000).Select(i => pool.Rent(i % 2 == 0 ? 300 : 5000)).ToList();
        await Task.Run(() => held.ForEach(a => pool.Return(a)));
        Assert.Equal(2500L * 320 + 2500L * 5120, pool.RetainedBytes);

        var again = Enumerable.Range(0, 5000).Select(i => pool.Rent(i % 2 == 0 ? 300 : 5000)).ToHashSet(ReferenceEqualityComparer.Instance);
        Assert.True(again.SetEquals(held), "every rent is served by a returned array");
        Assert.Equal(0, pool.RetainedBytes);
    }

    [Fact]
    public void AMissMakesRoomForItsSizeByLettingGoOfOthers()
    {
        // Full of large arrays from streams that have ended, the pool must still take the small ones of today's.
        var pool = new MediaBufferPool(64 * 1024);
        Enumerable.Range(0, 2).Select(_ => pool.Rent(32 * 1024)).ToList().ForEach(a => pool.Return(a));
        Assert.Equal(64 * 1024, pool.RetainedBytes);

        var small = pool.Rent(1000);
        Assert.Equal(32 * 1024, pool.RetainedBytes);
        pool.Return(small);
        Assert.Same(small, pool.Rent(1000));
    }

    [Fact]
    public void KeepsNoMoreThanItsLimitAndLetsGoOfEverythingWhenTrimmed()
    {
        var pool = new MediaBufferPool(10 * 1024);
        var arrays = Enumerable.Range(0, 5).Select(_ => pool.Rent(4096)).ToList();
        arrays.ForEach(a => pool.Return(a));
        Assert.Equal(8192, pool.RetainedBytes); // the third 4 KiB array would pass the 10 KiB limit: dropped

        pool.Return(new byte[1000]); // not a length it rents: ignored
        Assert.Equal(8192, pool.RetainedBytes);

        pool.Trim();
        Assert.Equal(0, pool.RetainedBytes);
        var rented = pool.Rent(4096);
        Assert.DoesNotContain(arrays, a => ReferenceEquals(a, rented)); // the same array, not equal bytes (new arrays are often zeros)
    }

    [Fact]
    public void ReturningToTheSystemLetsGoOfEverythingAndCollects()
    {
        var pool = new MediaBufferPool(1 << 20);
        Enumerable.Range(0, 4).Select(_ => pool.Rent(100_000)).ToList().ForEach(a => pool.Return(a));
        int collections = GC.CollectionCount(2);

        pool.ReturnToSystem();

        Assert.Equal(0, pool.RetainedBytes);
        Assert.True(GC.CollectionCount(2) > collections, "a full collection ran");
    }
}
