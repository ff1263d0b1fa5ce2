using System.ComponentModel.DataAnnotations;

namespace Stagecast.Transcoding;

/// <summary>How livestreams' renditions are encoded (<c>Stagecast:Transcode</c>; <c>--transcode-hwaccel</c>).</summary>
public sealed class TranscodeOptions
{
    public const string Section = "Stagecast:Transcode";

    /// <summary>
    /// Which H.264 encoder makes the renditions: <c>none</c> (x264, in software), <c>auto</c> (the first of NVENC, QSV
    /// and VAAPI that ffmpeg has and that encodes a test picture on this machine, else x264), or one of
    /// <c>nvenc</c>, <c>vaapi</c>, <c>qsv</c> (x264 when that one does not work here).
    /// </summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "--transcode-hwaccel must be none, auto, nvenc, vaapi or qsv")]
    [RegularExpression("none|auto|nvenc|vaapi|qsv", ErrorMessage = "--transcode-hwaccel must be none, auto, nvenc, vaapi or qsv")]
    public string HwAccel { get; set; } = "none";

    /// <summary>x264's preset: faster presets cost less CPU per rendition and more bits for the same quality.</summary>
    [RegularExpression("ultrafast|superfast|veryfast|faster|fast|medium")]
    public string Preset { get; set; } = "veryfast";

    /// <summary>
    /// How far a rendition's newest frame may fall behind the source's newest (media time) before it is dropped from the
    /// playlist as lagging; it comes back once within half of that.
    /// </summary>
    [Stagecast.Streaming.Limits.Duration("00:00:00.5")]
    public TimeSpan LagLimit { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Encodes (renditions other than the source) the livestreams of one account may have at once, together; a
    /// stream whose ladder would pass it plays its source alone, its renditions <c>REFUSED</c>.
    /// </summary>
    [Range(1, 10000)]
    public int MaxRenditionsPerAccount { get; set; } = 8;

    /// <summary>
    /// Encodes this server runs at once, whoever asks: four per core (a 480p and a 360p of a 720p source take about a
    /// fifth of a core between them with x264 <c>veryfast</c>), at least eight.
    /// </summary>
    [Range(1, 10000)]
    public int MaxRenditions { get; set; } = Math.Max(8, 4 * Environment.ProcessorCount);

    /// <summary>The VAAPI render node, with <c>vaapi</c>.</summary>
    [Required(AllowEmptyStrings = false)]
    public string VaapiDevice { get; set; } = "/dev/dri/renderD128";
}
