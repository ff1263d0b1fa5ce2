using Microsoft.Extensions.Logging;
using Stagecast.FfmpegProcesses;
using Stagecast.Streaming;
using Stagecast.WebRtc.Transcoding;
using Stagecast.WebRtc.Transport;

namespace Stagecast.WebRtc.Whep;

/// <summary>
/// At most one AAC to Opus transcoder per stream, started by its first WHEP viewer and stopped after its last. Each
/// Opus packet goes to the stream's viewers through one <see cref="UdpBatch"/>, a few <c>sendmmsg</c> calls for all of
/// them (a <c>sendto</c> per viewer and packet was about 7 % of the server's CPU at 200 viewers; bench/README.md).
/// </summary>
public sealed class OpusFeeds(FfmpegLauncher ffmpeg, ILogger<AacToOpusTranscoder> logger)
{
    private readonly Dictionary<HubStream, Feed> _feeds = [];

    internal void Subscribe(HubStream stream, WebRtcTransport transport, HubWhepSession viewer)
    {
        lock (_feeds)
        {
            if (!_feeds.TryGetValue(stream, out var feed))
            {
                _feeds[stream] = feed = new Feed(ffmpeg, stream, logger, transport.CreateBatch());
            }

            feed.Add(viewer);
        }
    }

    internal void Unsubscribe(HubStream stream, HubWhepSession viewer)
    {
        lock (_feeds)
        {
            if (_feeds.TryGetValue(stream, out var feed) && feed.Remove(viewer) == 0)
            {
                _feeds.Remove(stream);
                _ = feed.DisposeAsync().AsTask();
            }
        }
    }

    /// <summary>One stream's transcoder and the viewers it feeds, on its own batch (used only from the transcoder's reader).</summary>
    private sealed class Feed : IAsyncDisposable
    {
        private readonly AacToOpusTranscoder _transcoder;
        private readonly UdpBatch _batch;
        private HubWhepSession[] _viewers = [];

        public Feed(FfmpegLauncher ffmpeg, HubStream stream, ILogger logger, UdpBatch batch)
        {
            _batch = batch;
            _transcoder = new AacToOpusTranscoder(ffmpeg, stream, logger, Send);
        }

        public void Add(HubWhepSession viewer) => _viewers = [.. _viewers, viewer];

        public int Remove(HubWhepSession viewer)
        {
            _viewers = Array.FindAll(_viewers, v => v != viewer);
            return _viewers.Length;
        }

        /// <summary>Stops the transcoder, then frees the batch its reader wrote to.</summary>
        public async ValueTask DisposeAsync()
        {
            await _transcoder.DisposeAsync().ConfigureAwait(false);
            _batch.Dispose();
        }

        private void Send(ReadOnlySpan<byte> opus, long streamMs)
        {
            foreach (var viewer in Volatile.Read(ref _viewers))
            {
                viewer.QueueOpus(opus, streamMs, _batch); // a full batch sends itself
            }

            _batch.Flush();
        }
    }
}
