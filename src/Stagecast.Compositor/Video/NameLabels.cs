using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Stagecast.FfmpegProcesses;
using Stagecast.Streaming.Logging;

namespace Stagecast.Compositor.Video;

/// <summary>A caption's coverage mask: one byte per pixel, 0 transparent, 255 opaque.</summary>
public sealed record LabelMask(byte[] Pixels, int Width, int Height);

/// <summary>
/// Participants' names and meetings' titles as caption masks, rendered once per text and height by ffmpeg's
/// <c>drawtext</c> (FreeType and fontconfig's default sans font, so any script the font covers works) and cached.
/// Rendering runs in the background: until it is done, a tile shows no caption. The text is whatever people typed,
/// so it is drawn literally and every render is bounded:
/// <list type="bullet">
/// <item>it reaches ffmpeg in a file (never on its command line) with <c>drawtext</c>'s expansion off: <c>%{…}</c> is
/// drawn as typed, never evaluated (<c>%{e:while(1,1)}</c> spun a core for ever); control characters become spaces;</item>
/// <item>at most <see cref="MaxRendering"/> children run at once and <see cref="MaxPending"/> texts wait; a text
/// beyond that is asked again at a later frame;</item>
/// <item>a child is killed (SIGKILL, which it cannot ignore) after <see cref="RenderTimeout"/>, and ffmpeg's
/// <c>-timelimit</c> has the kernel end it after <see cref="CpuSeconds"/> of CPU even if this process dies first;</item>
/// <item>disposing kills every child still running.</item>
/// </list>
/// </summary>
public sealed partial class NameLabels : IDisposable
{
    /// <summary>Characters of a text that are drawn (a caption is at most 16 heights wide anyway).</summary>
    public const int MaxLength = 64;

    public const int MaxRendering = 2;

    /// <summary>Texts waiting for a render or being rendered.</summary>
    public const int MaxPending = 32;

    /// <summary>A render takes about 0.1 s; one still running after this is hung.</summary>
    public static readonly TimeSpan RenderTimeout = TimeSpan.FromSeconds(10);

    private const int CpuSeconds = 5;

    /// <summary>Control characters (C0, DEL, C1) and the line and paragraph separators: drawtext would break lines or draw boxes.</summary>
    private static readonly SearchValues<char> LineBreaking = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(c => (char)c), .. Enumerable.Range(0x7F, 0x21).Select(c => (char)c), '\u2028', '\u2029']);
    private const int MaxCached = 256;
    private readonly FfmpegLauncher _ffmpeg;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<(string Text, int Height), LabelMask?> _cache = new();
    private readonly ConcurrentDictionary<int, FfmpegChild> _rendering = new();
    private readonly SemaphoreSlim _slots = new(MaxRendering, MaxRendering);
    private readonly CancellationTokenSource _stop = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("stagecast-labels-").FullName;
    private readonly LogLimiter _failures;
    private int _pending;

    public NameLabels(FfmpegLauncher ffmpeg, TimeProvider time, ILogger logger)
    {
        _ffmpeg = ffmpeg;
        _time = time;
        _logger = logger;
        _failures = new LogLimiter(time);
    }

    /// <summary>The process ids of the renders running now (diagnostics and tests).</summary>
    public IReadOnlyCollection<int> Rendering => [.. _rendering.Keys];

    /// <summary>Texts waiting for a render or being rendered.</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>The mask of <paramref name="text"/> at a text height of <paramref name="height"/> pixels, or null while it renders (or when it cannot).</summary>
    public LabelMask? Get(string text, int height)
    {
        var key = (Printable(text), height);
        if (_cache.TryGetValue(key, out var mask))
        {
            return mask;
        }

        if (_stop.IsCancellationRequested)
        {
            return null;
        }

        if (_cache.Count >= MaxCached)
        {
            _cache.Clear();
        }

        if (Interlocked.Increment(ref _pending) > MaxPending)
        {
            Interlocked.Decrement(ref _pending);
            return null; // asked again at a later frame, when there is room
        }

        if (_cache.TryAdd(key, null))
        {
            _ = RenderAsync(key);
        }
        else
        {
            Interlocked.Decrement(ref _pending);
        }

        return null;
    }

    /// <summary>Kills every render still running; nothing new starts.</summary>
    public void Dispose()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        _stop.Cancel(); // renders waiting never start
        foreach (var child in _rendering.Values)
        {
            child.Kill(); // now, not when their continuations run: the process may be about to exit
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>What is drawn of a text: its first <see cref="MaxLength"/> characters (whole code points), control characters as spaces.</summary>
    public static string Printable(string text)
    {
        if (text.Length <= MaxLength && !text.AsSpan().ContainsAny(LineBreaking))
        {
            return text; // every frame asks for every caption: the usual text costs nothing
        }

        var printable = new StringBuilder(MaxLength * 2);
        Span<char> encoded = stackalloc char[2];
        int count = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (count++ == MaxLength)
            {
                break;
            }

            int length = rune.EncodeToUtf16(encoded);
            printable.Append(rune.IsBmp && LineBreaking.Contains((char)rune.Value) ? " " : encoded[..length]);
        }

        return printable.ToString();
    }

    private async Task RenderAsync((string Text, int Height) key)
    {
        try
        {
            await _slots.WaitAsync(_stop.Token).ConfigureAwait(false);
            try
            {
                _cache[key] = await RenderOnceAsync(key.Text, key.Height).ConfigureAwait(false);
            }
            finally
            {
                _slots.Release();
            }
        }
        catch (OperationCanceledException)
        {
            // disposed
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
        }
    }

    private async Task<LabelMask?> RenderOnceAsync(string text, int height)
    {
        int width = Math.Min(height * 16, 1920) & ~1;
        int fontSize = Math.Max(8, height * 3 / 4);
        string file = $"{Guid.NewGuid():N}.txt"; // relative to the working directory: nothing in the filter needs escaping
        using var deadline = new CancellationTokenSource(RenderTimeout, _time);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, _stop.Token);
        FfmpegChild? child = null;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(_directory, file), text, cancel.Token).ConfigureAwait(false);
            child = _ffmpeg.Start("caption render", Arguments(file, width, height, fontSize), _logger, errors: _failures, workingDirectory: _directory);
            child.CompleteInput();
            _rendering[child.ProcessId] = child;
            var pixels = new byte[width * height];
            var read = await child.Output.ReadAtLeastAsync(pixels.Length, cancel.Token).ConfigureAwait(false);
            bool whole = read.Buffer.Length >= pixels.Length;
            if (whole)
            {
                read.Buffer.Slice(0, pixels.Length).CopyTo(pixels);
            }

            child.Output.AdvanceTo(read.Buffer.End);
            await child.Exited.WaitAsync(cancel.Token).ConfigureAwait(false);
            if (!whole)
            {
                Fail($"ffmpeg gave no picture (exit code {child.ExitCode})", timedOut: false);
                return null;
            }

            return Trim(pixels, width, height);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            if (_stop.IsCancellationRequested)
            {
                throw new OperationCanceledException(_stop.Token);
            }

            Fail(ex.Message, deadline.IsCancellationRequested);
            return null;
        }
        finally
        {
            if (child is not null)
            {
                await child.DisposeAsync().ConfigureAwait(false); // at its deadline or when disposed, the reads above are cancelled and it is killed here
                _rendering.TryRemove(child.ProcessId, out _);
            }

            try
            {
                File.Delete(Path.Combine(_directory, file));
            }
            catch (IOException)
            {
                // disposed: the directory went with it
            }
        }
    }

    private void Fail(string reason, bool timedOut)
    {
        if (!_failures.TryLog(out long suppressed))
        {
            return;
        }

        if (timedOut)
        {
            Log.TimedOut(_logger, RenderTimeout.TotalSeconds, suppressed);
        }
        else
        {
            Log.Failed(_logger, reason, suppressed);
        }
    }

    /// <summary>One frame of <c>drawtext</c>, white on black, as gray pixels; <paramref name="file"/> is relative to the render directory.</summary>
    private static string[] Arguments(string file, int width, int height, int fontSize) =>
    [
        "-timelimit", CpuSeconds.ToString(CultureInfo.InvariantCulture),
        "-f", "lavfi", "-i", $"color=c=black:s={width}x{height}",
        "-vf", $"drawtext=textfile={file}:expansion=none:fontcolor=white:fontsize={fontSize}:x=0:y=(h-th)/2",
        "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1",
    ];

    /// <summary>The mask cut to the text's width.</summary>
    private static LabelMask Trim(byte[] pixels, int width, int height)
    {
        int used = 0;
        for (int x = 0; x < width; x++)
        {
            for (int y = 0; y < height; y++)
            {
                if (pixels[(y * width) + x] != 0)
                {
                    used = x + 1;
                    break;
                }
            }
        }

        used = Math.Max(2, (used + 1) & ~1);
        var trimmed = new byte[used * height];
        for (int y = 0; y < height; y++)
        {
            Array.Copy(pixels, y * width, trimmed, y * used, used);
        }

        return new LabelMask(trimmed, used, height);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "A caption could not be rendered: {Reason} ({Suppressed} more such lines left out)")]
        public static partial void Failed(ILogger logger, string reason, long suppressed);

        [LoggerMessage(2, LogLevel.Warning, "A caption's render was still running after {Seconds} s and was killed ({Suppressed} more such lines left out)")]
        public static partial void TimedOut(ILogger logger, double seconds, long suppressed);
    }
}
