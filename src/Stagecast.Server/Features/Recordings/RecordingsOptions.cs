using System.ComponentModel.DataAnnotations;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.Recordings;

/// <summary>Settings of recordings (<c>Stagecast:Recordings</c>): how long they are kept, how long an upload may take, how many may run.</summary>
public sealed class RecordingsOptions
{
    public const string Section = "Stagecast:Recordings";

    /// <summary>Recordings finished longer ago than this are deleted; zero keeps them forever (the default).</summary>
    [Duration("00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.Zero;

    /// <summary>When the stored recordings take more than this many bytes, the oldest are deleted; zero: no limit (the default).</summary>
    [Range(0, long.MaxValue)]
    public long MaxTotalBytes { get; set; }

    /// <summary>
    /// How long an upload to S3 may take, the check of the stored object included; one that takes longer (a storage
    /// that accepts and then stalls) ends <c>ERRORED</c>. An hour by default: about 20 GB at 50 Mbit/s.
    /// </summary>
    [Duration("00:00:01")]
    public TimeSpan UploadTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Recordings of a meeting's program running at once (with <c>allow_multiple_recordings</c>): each is a writer
    /// of the same program's file, so more are only more load. Past it, 429.
    /// </summary>
    [Range(1, 1000)]
    public int MaxPerMeeting { get; set; } = 3;

    /// <summary>
    /// Meeting recordings (program and track recordings, not livestream sessions') running at once in one app on this
    /// node: a track recording is an ffmpeg per VP8 or Opus track, whatever the app's programs. Past it, 429.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxPerApp { get; set; } = 20;
}
