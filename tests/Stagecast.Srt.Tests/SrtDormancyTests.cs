using Microsoft.Extensions.Time.Testing;
using Stagecast.Srt.Server;
using Stagecast.Testing;

namespace Stagecast.Srt.Tests;

/// <summary>
/// libsrt is one per process: cleaning it up stops its threads only when nothing else started it. A server is alone
/// with it in production; here this class runs after the others, alone, so its server's sleep is a real one.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LibsrtAlone
{
    public const string Name = "libsrt alone";
}

[Collection(LibsrtAlone.Name)]
public sealed class SrtDormancyTests
{
    /// <summary>
    /// While any SRT socket exists, libsrt's receiving thread polls the port every 10 ms: libsrt sleeps until a caller
    /// knocks, and again once nothing has been open for a while. The callers are ffmpeg processes, which do not share
    /// this process's libsrt.
    /// </summary>
    [Fact]
    public async Task LibsrtSleepsUntilACallerKnocksAndAgainOnceNothingIsOpen()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var srt = await SrtServerHarness.StartAsync(time: time);
        srt.Keys.Add("key-one", "stream-one").Add("key-two", "stream-two");
        Assert.False(srt.Server.LibsrtListening);

        await PublishBrieflyAsync(srt, "key-one");
        Assert.Contains(srt.Logs.Lines, l => l.Message.Contains("publishing to stream stream-one with key", StringComparison.Ordinal) && l.Message.EndsWith("(Started)", StringComparison.Ordinal));
        Assert.True(srt.Server.LibsrtListening);

        // The loop arms its timer once it finds nothing open; until it has, a step of the clock passes it by.
        await Eventually.TrueAsync(() =>
        {
            time.Advance(SrtServer.DormantAfter);
            return !srt.Server.LibsrtListening;
        }, "libsrt asleep once nothing was open for a while");

        await PublishBrieflyAsync(srt, "key-two");
        Assert.Contains(srt.Logs.Lines, l => l.Message.Contains("publishing to stream stream-two with key", StringComparison.Ordinal) && l.Message.EndsWith("(Started)", StringComparison.Ordinal));
    }

    private static async Task PublishBrieflyAsync(SrtServerHarness srt, string key)
    {
        var (exitCode, _, error) = await ExternalProcess.RunAsync("ffmpeg",
            ["-hide_banner", "-loglevel", "error", "-re", .. Ffmpeg.AudioVideo(2, "320x180"), "-f", "mpegts", srt.PublishUrl(key)], TimeSpan.FromSeconds(60));
        Assert.True(exitCode == 0, error + string.Join('\n', srt.Logs.Lines.Select(l => l.Message)));
    }
}
