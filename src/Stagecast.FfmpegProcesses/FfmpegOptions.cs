using System.ComponentModel.DataAnnotations;

namespace Stagecast.FfmpegProcesses;

/// <summary>Where ffmpeg is (<c>--ffmpeg</c>, <c>Stagecast:Ffmpeg</c>): a path, or a name looked up on the <c>PATH</c>.</summary>
public sealed class FfmpegOptions
{
    public const string Key = "Stagecast:Ffmpeg";

    [Required(AllowEmptyStrings = false, ErrorMessage = "--ffmpeg must name the ffmpeg binary")]
    public string Path { get; set; } = "ffmpeg";
}
