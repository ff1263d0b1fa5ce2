using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Stagecast.Compositor.Video;

/// <summary>A caption's coverage mask: one byte per pixel, 0 transparent, 255 opaque.</summary>
public sealed record LabelMask(byte[] Pixels, int Width, int Height);

/// <summary>
/// Participants' names as caption masks, rendered once per name and height by ffmpeg's <c>drawtext</c> (FreeType
/// and fontconfig's default sans font, so any script the font covers works) and cached. Rendering runs in the
/// background: until it is done, a tile shows no caption. The name goes to ffmpeg in a file, never on its command
/// line, so nothing in it is interpreted.
/// </summary>
public sealed class NameLabels(string ffmpeg, ILogger logger) : IDisposable
{
    private const int MaxCached = 256;
    private readonly ConcurrentDictionary<(string Name, int Height), LabelMask?> _cache = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("stagecast-labels-").FullName;

    /// <summary>The mask of <paramref name="name"/> at a text height of <paramref name="height"/> pixels, or null while it renders (or when it cannot).</summary>
    public LabelMask? Get(string name, int height)
    {
        var key = (name, height);
        if (_cache.TryGetValue(key, out var mask))
        {
            return mask;
        }

        if (_cache.Count >= MaxCached)
        {
            _cache.Clear();
        }

        if (_cache.TryAdd(key, null))
        {
            _ = Task.Run(() => _cache[key] = Render(name, height));
        }

        return null;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private LabelMask? Render(string name, int height)
    {
        int width = Math.Min(height * 16, 1920) & ~1;
        int fontSize = Math.Max(8, height * 3 / 4);
        string file = Path.Combine(_directory, $"{Guid.NewGuid():N}.txt");
        try
        {
            File.WriteAllText(file, name.Length > 64 ? name[..64] : name);
            var info = new ProcessStartInfo(ffmpeg)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string argument in (string[])[
                "-hide_banner", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", $"color=c=black:s={width}x{height}",
                "-vf", $"drawtext=textfile={file}:fontcolor=white:fontsize={fontSize}:x=0:y=(h-th)/2",
                "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1"])
            {
                info.ArgumentList.Add(argument);
            }

            using var process = Process.Start(info)!;
            var pixels = new byte[width * height];
            int read = 0;
            var output = process.StandardOutput.BaseStream;
            while (read < pixels.Length && output.Read(pixels, read, pixels.Length - read) is var n and > 0)
            {
                read += n;
            }

            string errors = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (read < pixels.Length)
            {
                logger.LogWarning("A name caption could not be rendered: {Errors}", errors.Trim());
                return null;
            }

            // Trim to the text's width.
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
        catch (Exception ex) when (ex is IOException or System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            logger.LogWarning(ex, "A name caption could not be rendered");
            return null;
        }
        finally
        {
            File.Delete(file);
        }
    }
}
