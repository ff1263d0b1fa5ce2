using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Stagecast.Compositor.Video;
using Stagecast.FfmpegProcesses;
using Stagecast.Testing;

namespace Stagecast.Compositor.Tests;

/// <summary>Names and titles are what people typed: drawn literally, and no render runs unbounded.</summary>
public sealed class NameLabelTests : IDisposable
{
    private const int Height = 20;
    private readonly string _work = Directory.CreateTempSubdirectory("stagecast-label-tests-").FullName;

    [Theory]
    [InlineData("%{e:while(1,1)}")] // evaluated, it spins a core for ever and ignores SIGTERM
    [InlineData("%{localtime}")] // evaluated, the time of day shows in the program
    [InlineData("%{eif:1/0:d}:'[x],y;z\\")]
    public async Task ATextThatLooksLikeDrawtextsExpansionIsDrawnAsTyped(string name)
    {
        using var labels = new NameLabels(new FfmpegLauncher("ffmpeg", TimeProvider.System), TimeProvider.System, NullLogger.Instance);

        var mask = await Eventually.MatchAsync(() => labels.Get(name, Height), m => m is not null, $"the caption of {name}", TimeSpan.FromSeconds(60));

        // What ffmpeg draws of these characters in its literal mode, done here on its own.
        byte[] literal = await LiteralAsync(name);
        int width = literal.Length / Height;
        for (int y = 0; y < Height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                byte expected = literal[(y * width) + x];
                byte drawn = x < mask!.Width ? mask.Pixels[(y * mask.Width) + x] : (byte)0;
                Assert.True(expected == drawn, $"pixel ({x}, {y}) of {name}: {drawn}, literally {expected}");
            }
        }

        Assert.Empty(labels.Rendering);
    }

    [Fact]
    public void ControlCharactersBecomeSpacesAndALongTextIsCutAtWholeCharacters()
    {
        Assert.Equal("Ada Lovelace", NameLabels.Printable("Ada Lovelace"));
        Assert.Equal("a b c d", NameLabels.Printable("a\nb\tc\u2028d"));
        string emoji = string.Concat(Enumerable.Repeat("\U0001F600", 100));
        Assert.Equal(string.Concat(Enumerable.Repeat("\U0001F600", NameLabels.MaxLength)), NameLabels.Printable(emoji));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task AtMostTwoRendersRunAHungOneIsKilledAtItsDeadlineAndDisposingKillsTheRest()
    {
        var time = new FakeTimeProvider();
        var labels = new NameLabels(new FfmpegLauncher(await HungFfmpegAsync(), time), time, NullLogger.Instance);
        try
        {
            // A flood of renames: two renders run, the rest wait up to the bound, and the others are not even queued.
            for (int i = 0; i < NameLabels.MaxPending + 10; i++)
            {
                Assert.Null(labels.Get($"guest {i}", Height));
            }

            Assert.Equal(NameLabels.MaxPending, labels.Pending);
            await Eventually.TrueAsync(() => Started().Count == NameLabels.MaxRendering && labels.Rendering.Count == NameLabels.MaxRendering,
                "the first two renders to start");
            var first = Started();

            // Their deadline passes: both are killed, though they ignore SIGTERM, and the next two start.
            time.Advance(NameLabels.RenderTimeout);
            await Eventually.TrueAsync(() => first.All(Gone) && Started().Count == 2 * NameLabels.MaxRendering, "the hung renders to die and the next two to start");
            Assert.Equal(NameLabels.MaxRendering, Started().Count(pid => !Gone(pid)));
            Assert.Equal(NameLabels.MaxPending - NameLabels.MaxRendering, labels.Pending);
            Assert.Null(labels.Get("guest 0", Height)); // failed: no caption, and no second try

            // Disposed (the program or the server stops): everything still running is killed, nothing waiting starts.
            labels.Dispose();
            await Eventually.TrueAsync(() => Started().All(Gone) && labels.Pending == 0, "every render to be gone");
            Assert.Equal(2 * NameLabels.MaxRendering, Started().Count);
            Assert.Null(labels.Get("after", Height));
        }
        finally
        {
            labels.Dispose();
        }
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    /// <summary>An ffmpeg that hangs as one evaluating <c>%{e:while(1,1)}</c> did: it ignores SIGTERM and never answers. It notes its pid.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private async Task<string> HungFfmpegAsync()
    {
        string script = Path.Combine(_work, "hung-ffmpeg");
        Directory.CreateDirectory(Path.Combine(_work, "started"));
        await File.WriteAllTextAsync(script, $"#!/bin/sh\ntrap '' TERM INT\necho started > '{_work}/started/'$$\nexec sleep 600\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return script;
    }

    private List<int> Started() => [.. Directory.GetFiles(Path.Combine(_work, "started")).Select(f => int.Parse(Path.GetFileName(f), System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>Exited and reaped, or a zombie about to be.</summary>
    private static bool Gone(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return true;
        }
    }

    private async Task<byte[]> LiteralAsync(string text)
    {
        string file = Path.Combine(_work, "literal.txt");
        string output = Path.Combine(_work, "literal.gray");
        await File.WriteAllTextAsync(file, text);
        int width = Height * 16;
        var (exitCode, _, error) = await ExternalProcess.RunAsync("ffmpeg",
        [
            "-hide_banner", "-v", "error", "-y", "-f", "lavfi", "-i", $"color=c=black:s={width}x{Height}",
            "-vf", $"drawtext=textfile={file}:expansion=none:fontcolor=white:fontsize={Height * 3 / 4}:x=0:y=(h-th)/2",
            "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", output,
        ], TimeSpan.FromSeconds(30));
        Assert.True(exitCode == 0, error);
        return await File.ReadAllBytesAsync(output);
    }
}
