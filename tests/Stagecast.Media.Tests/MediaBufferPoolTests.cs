using Stagecast.Media;

namespace Stagecast.Media.Tests;

public sealed class MediaBufferPoolTests
{
    [Theory]
    [InlineData(0, 256)]
    [InlineData(1, 256)]
    [InlineData(256, 256)]
    [InlineData(257, 512)]
    [InlineData(5000, 8192)]
    [InlineData(MediaLimits.MaxMediaMessageSize, MediaLimits.MaxMediaMessageSize)]
    public void RentsPowersOfTwoLargeEnough(int asked, int length) =>
        Assert.Equal(length, new MediaBufferPool(1 << 20).Rent(asked).Length);

    [Fact]
    public async Task KeepsThousandsOfArraysReturnedFromAnyThreadAndRentsThemAgain()
    {
        // A GOP cache's worth, returned at once from another thread: ArrayPool.Shared keeps a few dozen of them.
        var pool = new MediaBufferPool(64L << 20);
        var held = Enumerable.Range(0, 5000).Select(i => pool.Rent(i % 2 == 0 ? 300 : 5000)).ToList();
        await Task.Run(() => held.ForEach(a => pool.Return(a)));
        Assert.Equal(2500L * 512 + 2500L * 8192, pool.RetainedBytes);

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
}
