using Stagecast.Media.Codecs;
using Stagecast.Streaming;

namespace Stagecast.Testing;

/// <summary>Frames with real timing and fake payloads, as an encoder would publish them over RTMP (millisecond timestamps).</summary>
public static class SyntheticMedia
{
    public static readonly VideoTrackConfig Video720p = VideoTrackConfig.Parse(VideoCodec.H264, GoldenVectors.AvcRecord720p);

    public static readonly AudioTrackConfig Audio48k = AudioTrackConfig.ParseAac(GoldenVectors.AacLc48kStereo);

    public static readonly VideoTrackConfig Video1080p = VideoTrackConfig.Parse(
        VideoCodec.H264, Media.Codecs.H264.AvcDecoderConfigurationRecord.Build(GoldenVectors.H264Sps1080p, GoldenVectors.H264Pps1080p));

    /// <summary>One video frame per 1000/fps ms, a keyframe every <paramref name="gop"/> frames.</summary>
    public static IEnumerable<MediaFrame> Video(double seconds, double fps = 30, int gop = 30, long startMs = 0, int compositionOffset = 0)
    {
        int count = (int)Math.Round(seconds * fps);
        for (int i = 0; i < count; i++)
        {
            bool key = i % gop == 0;
            yield return MediaFrame.Copy(MediaFrameKind.Video, FlvBodies.Nal(key ? 2000 : 300), startMs + (long)Math.Round(i * 1000 / fps), key ? 0 : compositionOffset, key);
        }
    }

    /// <summary>AAC frames of 1024 samples at <paramref name="sampleRate"/>.</summary>
    public static IEnumerable<MediaFrame> Audio(double seconds, int sampleRate = 48000, long startMs = 0)
    {
        int count = (int)(seconds * sampleRate / 1024);
        for (int i = 0; i < count; i++)
        {
            yield return MediaFrame.Copy(MediaFrameKind.Audio, [0x21, 0x10, 0x04, (byte)i], startMs + (long)Math.Round(i * 1024 * 1000.0 / sampleRate), 0, true);
        }
    }

    /// <summary>Interleaves frames by timestamp, as FLV muxers do.</summary>
    public static IEnumerable<MediaFrame> Interleave(IEnumerable<MediaFrame> video, IEnumerable<MediaFrame> audio) =>
        video.Concat(audio).OrderBy(f => f.Timestamp).ThenBy(f => f.Kind == MediaFrameKind.Audio ? 1 : 0);

    public static MediaFrame Config(VideoTrackConfig config) => MediaFrame.Control(MediaFrameKind.VideoConfig, config, 0);

    public static MediaFrame Config(AudioTrackConfig config) => MediaFrame.Control(MediaFrameKind.AudioConfig, config, 0);

    public static MediaFrame Event(MediaFrameKind kind) => MediaFrame.Control(kind, null, 0);
}
