using System.Buffers;
using Stagecast.Media.Flv;
using Stagecast.Rtmp.Ingest;
using Stagecast.Streaming;

namespace Stagecast.Testing;

/// <summary>
/// Real encoder output for tests that need decodable media without an RTMP publisher: a clip encoded once by
/// ffmpeg (H.264 + AAC in FLV) and replayed into a hub publisher through <see cref="FlvIngest"/>.
/// </summary>
public static class RecordedMedia
{
    private static readonly SemaphoreSlim Lock = new(1, 1);
    private static readonly Dictionary<string, List<(FlvTagType Type, uint Timestamp, byte[] Body)>> Clips = [];

    /// <summary>The tags of a 6 s, 30 fps, 320x240 H.264 + AAC clip with a keyframe every second.</summary>
    public static Task<IReadOnlyList<(FlvTagType Type, uint Timestamp, byte[] Body)>> ClipAsync() => EncodeOnceAsync("-preset", "ultrafast");

    /// <summary>The same clip with B-frames (two between references): pictures come out of decode order, each with its composition offset.</summary>
    public static Task<IReadOnlyList<(FlvTagType Type, uint Timestamp, byte[] Body)>> ClipWithBFramesAsync() =>
        EncodeOnceAsync("-preset", "veryfast", "-bf", "2");

    /// <summary>The 6 s clip at 320x240 encoded with <paramref name="encoding"/>, once per test run.</summary>
    private static async Task<IReadOnlyList<(FlvTagType Type, uint Timestamp, byte[] Body)>> EncodeOnceAsync(params string[] encoding)
    {
        await Lock.WaitAsync();
        try
        {
            string key = string.Join(' ', encoding);
            if (!Clips.TryGetValue(key, out var clip))
            {
                Clips[key] = clip = await EncodeAsync("320x240", 6, encoding);
            }

            return clip;
        }
        finally
        {
            Lock.Release();
        }
    }

    /// <summary>
    /// The tags of a clip encoded now (not kept): <paramref name="seconds"/> of 30 fps H.264 at <paramref name="size"/>
    /// with a keyframe every second, and AAC, as <see cref="ClipAsync"/> (another size: a publisher back with another
    /// configuration).
    /// </summary>
    public static async Task<List<(FlvTagType Type, uint Timestamp, byte[] Body)>> EncodeAsync(string size, int seconds, params string[] encoding)
    {
        string file = Path.Combine(Path.GetTempPath(), $"stagecast-clip-{Guid.NewGuid()}.flv");
        var (exitCode, _, error) = await ExternalProcess.RunAsync("ffmpeg",
            ["-hide_banner", "-v", "error", "-f", "lavfi", "-i", $"testsrc2=size={size}:rate=30:duration={seconds}", "-f", "lavfi", "-i", $"sine=frequency=440:sample_rate=48000:duration={seconds}",
                "-c:v", "libx264", .. encoding.Length > 0 ? encoding : ["-preset", "ultrafast"], "-g", "30", "-pix_fmt", "yuv420p", "-c:a", "aac", "-f", "flv", file],
            TimeSpan.FromSeconds(60));
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"encoding the test clip failed: {error}");
        }

        var buffer = new ReadOnlySequence<byte>(await File.ReadAllBytesAsync(file));
        File.Delete(file);
        FlvFileReader.TryReadHeader(ref buffer);
        var tags = new List<(FlvTagType, uint, byte[])>();
        while (FlvFileReader.TryReadTag(ref buffer, out var tag))
        {
            tags.Add((tag.Type, tag.Timestamp, tag.Data.ToArray()));
        }

        return tags;
    }

    /// <summary>Publishes the clip (or <paramref name="clip"/>), in real time when asked, with timestamps starting at <paramref name="offsetMs"/>.</summary>
    public static async Task ReplayAsync(Publisher publisher, bool realTime = true, long offsetMs = 0, CancellationToken cancellationToken = default,
        IReadOnlyList<(FlvTagType Type, uint Timestamp, byte[] Body)>? clip = null)
    {
        var ingest = new FlvIngest();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (var (type, timestamp, body) in clip ?? await ClipAsync())
        {
            if (realTime)
            {
                await MediaPacing.WaitForAsync(clock, timestamp, cancellationToken);
            }

            byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(body.Length, 1));
            body.CopyTo(buffer, 0);
            bool taken = type switch
            {
                FlvTagType.Video => ingest.Video(publisher, timestamp + offsetMs, buffer, body.Length),
                FlvTagType.Audio => ingest.Audio(publisher, timestamp + offsetMs, buffer, body.Length),
                _ => false,
            };
            if (type == FlvTagType.Script)
            {
                FlvIngest.Data(publisher, body);
            }

            if (!taken)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
