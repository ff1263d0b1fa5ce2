using Stagecast.FfmpegProcesses;
using Stagecast.Streaming;
using Stagecast.Streaming.MpegTs;
using Stagecast.WebRtc.Transcoding;

namespace Stagecast.Server.Features.Srt;

/// <summary>Opus from an SRT publisher goes through the same ffmpeg transcoder as a WHIP publisher's.</summary>
public sealed class OpusToAacTranscoding(FfmpegLauncher ffmpeg, ILogger<OpusToAacTranscoding> logger) : IOpusTranscoding
{
    public IOpusAudio Start(Publisher publisher) =>
        new Transcoder(new OpusToAacTranscoder(ffmpeg, publisher, logger));

    private sealed class Transcoder(OpusToAacTranscoder transcoder) : IOpusAudio
    {
        public void Push(ReadOnlySpan<byte> packet, long sampleTime, long streamMs) => transcoder.Push(packet, sampleTime, streamMs);

        public ValueTask DisposeAsync() => transcoder.DisposeAsync();
    }
}
