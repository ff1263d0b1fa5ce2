using Microsoft.Extensions.Options;
using Stagecast.Srt.Ingest;
using Stagecast.Streaming;
using Stagecast.WebRtc.Transcoding;
using Stagecast.WebRtc.Transport;

namespace Stagecast.Server.Features.Srt;

/// <summary>Opus from an SRT publisher goes through the same ffmpeg transcoder as a WHIP publisher's.</summary>
public sealed class OpusToAacTranscoding(IOptions<WebRtcOptions> webRtc, ILogger<OpusToAacTranscoding> logger) : IOpusTranscoding
{
    public IOpusAudio Start(Publisher publisher, Func<bool> holdFrames) =>
        new Transcoder(new OpusToAacTranscoder(webRtc.Value.Ffmpeg, publisher, logger, holdFrames));

    private sealed class Transcoder(OpusToAacTranscoder transcoder) : IOpusAudio
    {
        public void Push(ReadOnlySpan<byte> packet, long sampleTime, long streamMs) => transcoder.Push(packet, sampleTime, streamMs);

        public ValueTask DisposeAsync() => transcoder.DisposeAsync();
    }
}
