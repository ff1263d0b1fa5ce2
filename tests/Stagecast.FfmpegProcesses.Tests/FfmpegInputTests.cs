using System.Buffers;
using Microsoft.Extensions.Logging.Abstractions;
using Stagecast.Testing;

namespace Stagecast.FfmpegProcesses.Tests;

/// <summary>Feeders write into the child's stdin queue itself: pooled buffers queued as they are, a write kept whole.</summary>
public sealed class FfmpegInputTests : IDisposable
{
    private readonly Scripts _scripts = new();

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task AWriteLargerThanItsFirstBufferArrivesWholeAndInOrder()
    {
        string output = Path.Combine(Path.GetTempPath(), $"stagecast-input-{Guid.NewGuid():N}");
        using var launcher = new FfmpegLauncher(_scripts.Write("cat", $"cat > '{output}'"), TimeProvider.System);
        var child = launcher.Start("copier", [], NullLogger.Instance);
        await using (child)
        {
            byte[] expected = new byte[300_000];
            Random.Shared.NextBytes(expected);
            // As MPEG-TS is written: a packet at a time, each asked for by its size; then one large write.
            for (int at = 0; at < 188 * 100; at += 188)
            {
                expected.AsSpan(at, 188).CopyTo(child.Input.GetSpan(188));
                child.Input.Advance(188);
            }

            child.Input.Write(expected.AsSpan(188 * 100));
            Assert.Equal(expected.Length, child.Input.WrittenCount);
            Assert.True(child.Input.Commit());
            Assert.Equal(0, child.Input.WrittenCount);
            Assert.True(child.Input.Commit()); // nothing written: nothing queued

            child.CompleteInput();
            await child.Exited.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(expected, await File.ReadAllBytesAsync(output));
        }

        File.Delete(output);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task AWriteThatFindsTheQueueFullIsDroppedWholeAndTheQueueCountsWritesNotBuffers()
    {
        string output = Path.Combine(Path.GetTempPath(), $"stagecast-input-{Guid.NewGuid():N}");
        string go = output + ".go";
        // Reads nothing until told to: the first write fills the pipe and the queue holds the rest.
        using var launcher = new FfmpegLauncher(_scripts.Write("held", $"while [ ! -e '{go}' ]; do sleep 0.02; done\ncat > '{output}'"), TimeProvider.System);
        var child = launcher.Start("held", [], NullLogger.Instance, maxQueuedWrites: 2);
        await using (child)
        {
            byte[] first = Filled(2 * 1024 * 1024, 1); // many times a pipe's buffer, in several pooled buffers
            byte[] second = Filled(100_000, 2);
            byte[] third = Filled(100_000, 3);
            foreach (byte[] write in new[] { first, second, third })
            {
                child.Input.Write(write);
                Assert.True(child.Input.Commit());
            }

            Assert.Equal(2, child.Queued); // the third found two waiting and was dropped

            await File.WriteAllTextAsync(go, "");
            child.CompleteInput();
            await child.Exited.WaitAsync(TimeSpan.FromSeconds(30));
            byte[] arrived = await File.ReadAllBytesAsync(output);
            Assert.Equal([.. first, .. second], arrived);
            Assert.Equal(0, child.Queued);
        }

        File.Delete(output);
        File.Delete(go);
    }

    public void Dispose() => _scripts.Dispose();

    private static byte[] Filled(int length, byte value)
    {
        byte[] bytes = new byte[length];
        bytes.AsSpan().Fill(value);
        return bytes;
    }
}
