using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stagecast.Streaming;
using Stagecast.WebRtc.Transcoding;
using Stagecast.WebRtc.Transport;

namespace Stagecast.WebRtc.Whep;

/// <summary>At most one AAC to Opus transcoder per stream, started by its first WHEP viewer and stopped after its last.</summary>
public sealed class OpusFeeds(IOptions<WebRtcOptions> options, ILogger<AacToOpusTranscoder> logger)
{
    private readonly Dictionary<LiveStream, AacToOpusTranscoder> _transcoders = [];

    public void Subscribe(LiveStream stream, Action<ReadOnlyMemory<byte>, long> handler)
    {
        lock (_transcoders)
        {
            if (!_transcoders.TryGetValue(stream, out var transcoder))
            {
                _transcoders[stream] = transcoder = new AacToOpusTranscoder(options.Value.Ffmpeg, stream, logger);
            }

            transcoder.Subscribe(handler);
        }
    }

    public void Unsubscribe(LiveStream stream, Action<ReadOnlyMemory<byte>, long> handler)
    {
        AacToOpusTranscoder? stopped = null;
        lock (_transcoders)
        {
            if (_transcoders.TryGetValue(stream, out var transcoder) && transcoder.Unsubscribe(handler) == 0)
            {
                _transcoders.Remove(stream);
                stopped = transcoder;
            }
        }

        if (stopped is not null)
        {
            _ = stopped.DisposeAsync().AsTask();
        }
    }
}
