using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stagecast.Hls.Muxing;
using Stagecast.Hls.Storage;
using Stagecast.Streaming;

namespace Stagecast.Hls;

/// <summary>
/// Packages every live stream as LL-HLS: a reader of the hub per stream feeding a muxer on its own task, so a
/// slow packager never slows the publisher.
/// </summary>
public sealed partial class HlsPackager(
    HlsStreamRegistry registry,
    IOptions<HlsOptions> options,
    TimeProvider time,
    ILogger<HlsPackager> logger) : ILiveStreamObserver
{
    /// <summary>The packager must keep up with the publisher; its queue holds several seconds for bursts.</summary>
    private static readonly ReaderOptions PackagerQueue = new() { MaxQueuedFrames = 4096, MaxQueuedBytes = 64L * 1024 * 1024 };

    public void OnStreamStarted(LiveStream stream)
    {
        var output = new HlsStream(stream.Id, NewEpoch(), options.Value, time);
        registry.Set(output, stream);
        var reader = stream.AddReader("hls", PackagerQueue);
        _ = Task.Run(() => RunAsync(reader, output));
    }

    private async Task RunAsync(LiveStreamReader reader, HlsStream output)
    {
        using var muxer = new HlsMuxer(output, options.Value, time);
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var frame))
                {
                    muxer.Process(frame);
                }

                muxer.PublishIfChanged();
            }
        }
        catch (Exception ex)
        {
            Log.PackagerFailed(logger, ex, output.StreamId);
            output.End();
        }
        finally
        {
            reader.Dispose();
            if (reader.DroppedFrames > 0)
            {
                Log.FramesDropped(logger, output.StreamId, reader.DroppedFrames);
            }

            _ = RemoveLaterAsync(output);
        }
    }

    private async Task RemoveLaterAsync(HlsStream output)
    {
        await Task.Delay(options.Value.EndedStreamRetention, time).ConfigureAwait(false);
        registry.Remove(output);
    }

    /// <summary>A short random path component that keeps this broadcast's URLs apart from earlier ones.</summary>
    private static string NewEpoch() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    private static partial class Log
    {
        [LoggerMessage(200, LogLevel.Error, "HLS packaging of stream {StreamId} failed")]
        public static partial void PackagerFailed(ILogger logger, Exception exception, string streamId);

        [LoggerMessage(201, LogLevel.Warning, "HLS packager of stream {StreamId} fell behind and dropped {Count} frames")]
        public static partial void FramesDropped(ILogger logger, string streamId, long count);
    }
}
