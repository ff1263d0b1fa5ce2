namespace Stagecast.Transcoding.Encoders;

/// <summary>
/// What each encoder needs on ffmpeg's command line to make a rendition: the device it opens (before the input), the
/// pixel format it takes (and, for VAAPI, the upload to the GPU) at the end of each scaler, and its own options for
/// one stream of many. Every encoder is set alike: no B-frames (decode order is presentation order), keyframes only
/// where ffmpeg is told to put them (no GOP of its own, no scene cuts), constant bitrate. Only x264 runs on the
/// machine this was written on; the GPU encoders' options come from ffmpeg's documentation of each.
/// </summary>
internal static class EncoderArguments
{
    /// <summary>No keyframe of the encoder's own between two of the source's (they are forced where the source has them).</summary>
    private const string NoOwnKeyframes = "100000";

    public static IEnumerable<string> Device(VideoEncoder encoder, TranscodeOptions options) => encoder switch
    {
        VideoEncoder.Vaapi => ["-vaapi_device", options.VaapiDevice],
        _ => [],
    };

    /// <summary>The filters that end each scaler's chain: the pixel format the encoder takes, in the memory it takes it from.</summary>
    public static string Upload(VideoEncoder encoder) => encoder switch
    {
        VideoEncoder.Vaapi => "format=nv12,hwupload",
        VideoEncoder.Qsv => "format=nv12",
        _ => "format=yuv420p",
    };

    /// <summary>The encoder and its settings for every video stream of the output.</summary>
    public static IEnumerable<string> Codec(VideoEncoder encoder, TranscodeOptions options)
    {
        string[] common = ["-c:v", encoder.FfmpegName(), "-profile:v", "high", "-bf", "0", "-g", NoOwnKeyframes];
        return encoder switch
        {
            VideoEncoder.Nvenc => [.. common, "-preset", "p2", "-tune", "ll", "-rc", "cbr", "-forced-idr", "1", "-no-scenecut", "1", "-zerolatency", "1"],
            VideoEncoder.Qsv => [.. common, "-preset", "veryfast", "-forced_idr", "1", "-look_ahead", "0"],
            VideoEncoder.Vaapi => [.. common, "-rc_mode", "CBR"],
            _ => [.. common, "-preset", options.Preset, "-tune", "zerolatency", "-sc_threshold", "0"],
        };
    }

    /// <summary>One picture through the encoder, as renditions use it: exit code 0 means it works on this machine.</summary>
    public static IReadOnlyList<string> TestEncode(VideoEncoder encoder, TranscodeOptions options) =>
    [
        .. Device(encoder, options),
        "-f", "lavfi", "-i", "color=c=black:s=320x180:r=30",
        "-frames:v", "1", "-vf", Upload(encoder),
        .. Codec(encoder, options), "-b:v", "250000",
        "-f", "null", "-",
    ];
}
