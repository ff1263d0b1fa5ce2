using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stagecast.Hls.Muxing;
using Stagecast.Hls.Storage;
using Stagecast.Streaming;
using Stagecast.Streaming.Renditions;

namespace Stagecast.Hls;

/// <summary>
/// Packages every live stream as LL-HLS. The muxer is an inline sink of the stream: it runs on the publisher's
/// thread as each frame arrives, so a part is listed the moment its last frame is in, with no queue or thread hop
/// in between (muxing is a copy into memory; it cannot fall behind the publisher that feeds it).
/// </summary>
public sealed partial class HlsPackager(
    HlsStreamRegistry registry,
    IOptions<HlsOptions> options,
    TimeProvider time,
    IEnumerable<ITimedTextSource> timedText,
    ILogger<HlsPackager> logger) : IHubStreamObserver
{
    public void OnStreamStarted(HubStream stream)
    {
        var output = new HlsStream(stream.Id, NewEpoch(), options.Value, time);
        if (timedText.Select(source => source.TrackOf(stream.Id)).FirstOrDefault(track => track is not null) is { } track)
        {
            output.Carry(track);
        }

        registry.Set(output, stream);
        stream.AddSink("hls", new Sink(new HlsMuxer(output, options.Value, time), output, logger, () => _ = RemoveLaterAsync(output)));
    }

    /// <summary>
    /// Packages an encode of a live stream beside it (the stream id is "{source id}/{rendition}"), following the source's
    /// parts; an encode whose source is not packaged here is left alone. An ended encode stays listed (with ENDLIST) and
    /// goes with its source.
    /// </summary>
    internal void OnRenditionStarted(HubStream stream)
    {
        int slash = stream.Id.LastIndexOf('/');
        if (slash <= 0 || !registry.TryGet(stream.Id[..slash], out var source) || source.Timeline is not { } timeline)
        {
            Log.RenditionWithoutSource(logger, stream.Id);
            return;
        }

        var output = new HlsStream(source, stream.Id[(slash + 1)..]);
        source.AddRendition(output);
        stream.AddSink("hls", new Sink(new HlsMuxer(output, options.Value, time, timeline), output, logger, static () => { }));
    }

    private async Task RemoveLaterAsync(HlsStream output)
    {
        await Task.Delay(options.Value.EndedStreamRetention, time).ConfigureAwait(false);
        registry.Remove(output);
    }

    /// <summary>A short random path component that keeps this broadcast's URLs apart from earlier ones.</summary>
    private static string NewEpoch() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    /// <summary>One stream's muxer, fed by the hub under the stream's lock (so one frame at a time, in order).</summary>
    private sealed class Sink(HlsMuxer muxer, HlsStream output, ILogger logger, Action ended) : IHubStreamSink
    {
        public void OnFrame(MediaFrame frame)
        {
            muxer.Process(frame);
            muxer.PublishIfChanged();
        }

        public void OnCompleted(Exception? error)
        {
            if (error is not null)
            {
                Log.PackagerFailed(logger, error, output.StreamId);
                output.End();
            }

            muxer.Dispose();
            ended();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(200, LogLevel.Error, "HLS packaging of stream {StreamId} failed")]
        public static partial void PackagerFailed(ILogger logger, Exception exception, string streamId);

        [LoggerMessage(201, LogLevel.Warning, "Rendition {StreamId} has no packaged source stream here; it is not packaged")]
        public static partial void RenditionWithoutSource(ILogger logger, string streamId);
    }
}

/// <summary>The packager's ear on the rendition hub.</summary>
internal sealed class RenditionPackaging(HlsPackager packager) : IRenditionObserver
{
    public void OnStreamStarted(HubStream stream) => packager.OnRenditionStarted(stream);
}
