using System.Collections.Concurrent;
using System.Globalization;
using Stagecast.Server.Features.Livestreams;
using Stagecast.Streaming;
using Stagecast.Streaming.Logging;

namespace Stagecast.Server.Features.MediaPlane;

/// <summary>
/// The lines an operator follows: one when a livestream goes live (its name and id, the protocol, the client's
/// address, the codecs and picture size) and one when it ends (how long, why). The start line waits a moment for the
/// publisher's track configurations, which come right after the publish command.
/// </summary>
public sealed partial class PublishLog(ILivestreamStore store, TimeProvider time, ILogger<PublishLog> logger) : IHubStreamObserver
{
    private static readonly TimeSpan TracksWait = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);
    private readonly ConcurrentDictionary<HubStream, Task<string>> _names = new(ReferenceEqualityComparer.Instance);

    public void OnStreamStarted(HubStream stream)
    {
        var name = _names[stream] = NameOfAsync(stream.Id);
        var publisher = stream.Publisher?.Info;
        _ = LogStartAsync(stream, name, publisher);
    }

    public void OnPublisherResumed(HubStream stream)
    {
        if (_names.TryGetValue(stream, out var name) && stream.Publisher?.Info is { } publisher)
        {
            _ = LogAsync(name, n => Log.Resumed(logger, n, stream.Id, publisher.Protocol, publisher.RemoteAddress));
        }
    }

    public void OnStreamEnded(HubStream stream)
    {
        if (!_names.TryRemove(stream, out var name))
        {
            return;
        }

        var duration = (stream.StoppedAt ?? time.GetUtcNow()) - stream.StartedAt;
        string reason = stream.EndReason ?? "unpublished";
        _ = stream.EndKind == StreamEndKind.PublisherLost
            ? LogAsync(name, n => Log.Lost(logger, n, stream.Id, Format(duration), reason))
            : LogAsync(name, n => Log.Ended(logger, n, stream.Id, Format(duration), reason));
    }

    /// <summary>"H.264 1280x720, AAC 48 kHz stereo"; "no video" or "no audio" for a missing track.</summary>
    public static string DescribeTracks(HubStream stream)
    {
        string video = stream.Video is { } v ? $"{CodecName(v.Codec)} {v.Width}x{v.Height}" : "no video";
        string audio = stream.Audio is { } a
            ? $"{a.Codec.ToString().ToUpperInvariant()} {(a.SampleRate / 1000.0).ToString("0.#", CultureInfo.InvariantCulture)} kHz {(a.Channels == 1 ? "mono" : a.Channels == 2 ? "stereo" : $"{a.Channels} ch")}"
            : "no audio";
        return $"{video}, {audio}";
    }

    private static string CodecName(Stagecast.Media.Codecs.VideoCodec codec) => codec switch
    {
        Stagecast.Media.Codecs.VideoCodec.H264 => "H.264",
        Stagecast.Media.Codecs.VideoCodec.H265 => "H.265",
        _ => codec.ToString().ToUpperInvariant(),
    };

    private static string Format(TimeSpan duration) => duration.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture);

    private async Task LogStartAsync(HubStream stream, Task<string> name, PublisherInfo? publisher)
    {
        long started = time.GetTimestamp();
        while ((stream.Video is null || stream.Audio is null) && stream.State != HubStreamState.Ended && time.GetElapsedTime(started) < TracksWait)
        {
            await Task.Delay(Poll, time).ConfigureAwait(false);
        }

        await LogAsync(name, n => Log.Started(logger, n, stream.Id, publisher?.Protocol ?? "?", publisher?.RemoteAddress ?? "?", DescribeTracks(stream))).ConfigureAwait(false);
    }

    private static async Task LogAsync(Task<string> name, Action<string> log) => log(await name.ConfigureAwait(false));

    private async Task<string> NameOfAsync(string livestreamId)
    {
        try
        {
            var livestream = await store.FindLivestreamAsync(livestreamId, CancellationToken.None).ConfigureAwait(false);
            return livestream?.Name is { Length: > 0 } name ? $"\"{LogText.Untrusted(name, 100)}\"" : "(unnamed)";
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return "(name unavailable)";
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Livestream {Name} ({LivestreamId}) is live: {Protocol} from {RemoteAddress}, {Tracks}")]
        public static partial void Started(ILogger logger, string name, string livestreamId, string protocol, string remoteAddress, string tracks);

        [LoggerMessage(2, LogLevel.Information, "Livestream {Name} ({LivestreamId}) continues: {Protocol} publisher back from {RemoteAddress}")]
        public static partial void Resumed(ILogger logger, string name, string livestreamId, string protocol, string remoteAddress);

        [LoggerMessage(3, LogLevel.Information, "Livestream {Name} ({LivestreamId}) ended after {Duration}: {Reason}")]
        public static partial void Ended(ILogger logger, string name, string livestreamId, string duration, string reason);

        [LoggerMessage(4, LogLevel.Warning, "Livestream {Name} ({LivestreamId}) ended after {Duration}: its publisher was lost ({Reason})")]
        public static partial void Lost(ILogger logger, string name, string livestreamId, string duration, string reason);
    }
}
