using System.ComponentModel.DataAnnotations;

namespace Stagecast.Compositor;

/// <summary>How meeting programs are made (<c>Stagecast:Compositor</c>).</summary>
public sealed class CompositorOptions
{
    public const string Section = "Stagecast:Compositor";

    /// <summary>The program's size when the livestream asks for none (L9's <c>video_config</c> overrides it).</summary>
    [Range(160, 1920)]
    public int Width { get; set; } = 1280;

    [Range(90, 1080)]
    public int Height { get; set; } = 720;

    [Range(10, 60)]
    public int FrameRate { get; set; } = 30;

    /// <summary>The program's H.264 bitrate at 720p; other sizes scale it by their pixel count.</summary>
    [Range(200, 20000)]
    public int VideoKbps { get; set; } = 2500;

    /// <summary>x264's preset: faster presets cost less CPU per program and more bits for the same quality.</summary>
    [RegularExpression("ultrafast|superfast|veryfast|faster|fast|medium")]
    public string Preset { get; set; } = "veryfast";

    /// <summary>The size each participant's video is decoded to (16:9, letterboxed) before it is scaled into its tile.</summary>
    [Range(160, 1920)]
    public int DecodeWidth { get; set; } = 640;

    [Range(90, 1080)]
    public int DecodeHeight { get; set; } = 360;

    /// <summary>How long a stalled participant's last picture stays before its name tile replaces it.</summary>
    [Stagecast.Streaming.Limits.Duration("00:00:00.5")]
    public TimeSpan StallHold { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Meeting programs one app may run at once (each costs a third to a half of a core at 720p: two cores hold about
    /// four); a livestream, recording or room stream that would start one more is refused with 429.
    /// </summary>
    [Range(1, 10000)]
    public int MaxProgramsPerApp { get; set; } = 4;

    /// <summary>
    /// Meeting programs the apps of one account may run at once, together (apps are free to create, so a limit per app
    /// alone bounds nothing); one more is refused with 429.
    /// </summary>
    [Range(1, 10000)]
    public int MaxProgramsPerAccount { get; set; } = 4;

    /// <summary>
    /// Meeting programs this server runs at once, whoever asks: two per core (two cores hold about four at 720p), at
    /// least four. One more is refused with 503.
    /// </summary>
    [Range(1, 10000)]
    public int MaxPrograms { get; set; } = Math.Max(4, 2 * Environment.ProcessorCount);

    /// <summary>How long a program runs after the last thing that needed it went away.</summary>
    [Stagecast.Streaming.Limits.Duration("00:00:00")]
    public TimeSpan Linger { get; set; } = TimeSpan.FromSeconds(3);
}
