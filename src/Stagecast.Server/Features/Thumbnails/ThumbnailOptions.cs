using System.ComponentModel.DataAnnotations;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.Thumbnails;

/// <summary>Settings of live streams' pictures (<c>Stagecast:Thumbnails</c>).</summary>
public sealed class ThumbnailOptions
{
    public const string Section = "Stagecast:Thumbnails";

    /// <summary>
    /// ffmpeg decodes at once, across every stream: each is a short process (about 0.1 s for a 640-wide picture of a
    /// 720p keyframe), so two make a dashboard of a hundred streams' pictures within a few seconds and take at most two
    /// cores' time whatever viewers ask.
    /// </summary>
    [Range(1, 64)]
    public int MaxConcurrentDecodes { get; set; } = 2;

    /// <summary>
    /// A stream's picture is made again from a newer keyframe at most this often: what a decode costs is mostly ffmpeg
    /// starting (about 65 ms of CPU), so a dashboard of a hundred live streams costs about two thirds of a core at 10 s,
    /// whatever its viewers' pages poll. 0 makes one of every keyframe asked for.
    /// </summary>
    [Duration("00:00:00")]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long making a picture may take, the wait for a decode included; past it the request is answered without it.</summary>
    [Duration("00:00:00.1")]
    public TimeSpan DecodeTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
