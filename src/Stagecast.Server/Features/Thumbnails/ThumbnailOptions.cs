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

    /// <summary>How long making a picture may take, the wait for a decode included; past it the request is answered without it.</summary>
    [Duration("00:00:00.1")]
    public TimeSpan DecodeTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
