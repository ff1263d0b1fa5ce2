namespace Stagecast.Transcoding.Encoders;

/// <summary>The H.264 encoders renditions can be made with: x264 in software, or a GPU's (<c>--transcode-hwaccel</c>).</summary>
public enum VideoEncoder
{
    Libx264,
    Nvenc,
    Vaapi,
    Qsv,
}

public static class VideoEncoders
{
    /// <summary>The encoders <c>auto</c> tries, in this order: NVIDIA's, then Intel's two ways in.</summary>
    public static readonly IReadOnlyList<VideoEncoder> Hardware = [VideoEncoder.Nvenc, VideoEncoder.Qsv, VideoEncoder.Vaapi];

    /// <summary>ffmpeg's name for the encoder, as <c>ffmpeg -encoders</c> lists it.</summary>
    public static string FfmpegName(this VideoEncoder encoder) => encoder switch
    {
        VideoEncoder.Nvenc => "h264_nvenc",
        VideoEncoder.Vaapi => "h264_vaapi",
        VideoEncoder.Qsv => "h264_qsv",
        _ => "libx264",
    };

    /// <summary>The encoder a <c>--transcode-hwaccel</c> value names; null for <c>none</c> and <c>auto</c>.</summary>
    public static VideoEncoder? Named(string hwAccel) => hwAccel switch
    {
        "nvenc" => VideoEncoder.Nvenc,
        "vaapi" => VideoEncoder.Vaapi,
        "qsv" => VideoEncoder.Qsv,
        _ => null,
    };
}
