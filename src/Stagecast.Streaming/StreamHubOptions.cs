using System.ComponentModel.DataAnnotations;
using Stagecast.Streaming.Limits;

namespace Stagecast.Streaming;

public sealed class StreamHubOptions
{
    /// <summary>How long a stream whose publisher dropped waits for it to come back before it ends.</summary>
    [Duration("00:00:00")]
    public TimeSpan ReconnectWindow { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A live publisher silent this long may be replaced by a new one on the same key.</summary>
    [Duration]
    public TimeSpan StalePublisherTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long after it began a stream waits for the configurations of its publisher's declared tracks before readers
    /// get the tracks it has: a declared track that never comes costs this much delay once. 10 s: on a busy 2-core
    /// machine a WHIP stream's AAC (ffmpeg made from its Opus) came after 3 s, and the stream went live without audio.
    /// </summary>
    [Duration]
    public TimeSpan TrackWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Upper bound for the cached group of pictures that new readers start from.</summary>
    [Range(64 * 1024, long.MaxValue)]
    public long MaxGopCacheBytes { get; set; } = 8 * 1024 * 1024;
}
