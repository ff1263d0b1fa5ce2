using System.Collections.Concurrent;
using Stagecast.Media.Codecs;
using Stagecast.Streaming;

namespace Stagecast.Transcoding.Tests;

/// <summary>What a stream's readers get, as an inline sink records it: media times, keyframes, configurations.</summary>
internal sealed class FrameLog : IHubStreamSink
{
    private readonly ConcurrentQueue<Seen> _frames = new();

    public sealed record Seen(MediaFrameKind Kind, long Timestamp, long Presentation, bool IsKeyframe, object? Detail);

    public IReadOnlyList<Seen> Frames => [.. _frames];

    /// <summary>Presentation times (ms) of its video keyframes.</summary>
    public IReadOnlyList<long> Keyframes => [.. _frames.Where(f => f.Kind == MediaFrameKind.Video && f.IsKeyframe).Select(f => f.Presentation)];

    public IReadOnlyList<long> VideoTimes => [.. _frames.Where(f => f.Kind == MediaFrameKind.Video).Select(f => f.Presentation)];

    public int AudioFrames => _frames.Count(f => f.Kind == MediaFrameKind.Audio);

    public VideoTrackConfig? Video => _frames.LastOrDefault(f => f.Kind == MediaFrameKind.VideoConfig)?.Detail as VideoTrackConfig;

    public AudioTrackConfig? Audio => _frames.LastOrDefault(f => f.Kind == MediaFrameKind.AudioConfig)?.Detail as AudioTrackConfig;

    public bool Ended => _frames.Any(f => f.Kind == MediaFrameKind.StreamEnded);

    public void OnFrame(MediaFrame frame)
    {
        _frames.Enqueue(new Seen(frame.Kind, frame.Timestamp, frame.Timestamp + frame.CompositionOffset, frame.IsKeyframe, frame.Detail));
        frame.Release();
    }

    public void OnCompleted(Exception? error) => _frames.Enqueue(new Seen(MediaFrameKind.StreamEnded, 0, 0, false, error));
}
