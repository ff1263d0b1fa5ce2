using System.Collections.Concurrent;
using System.Globalization;
using Stagecast.Server.Features.Livestreams;
using Stagecast.Streaming;
using Stagecast.Streaming.Logging;

namespace Stagecast.Server.Features.MediaPlane;

/// <summary>
/// The lines an operator follows: one when a livestream goes live (its name and id, the protocol, the client's
/// address, the codecs and picture size) and one when it ends (how long, why). The start line is written when the
/// hub says the stream's tracks are known (<see cref="IHubStreamObserver.OnTracksKnown"/>), or as the stream ends
/// if it ends before.
/// </summary>
public sealed partial class PublishLog(ILivestreamStore store, TimeProvider time, ILogger<PublishLog> logger) : IHubStreamObserver
{
    private readonly ConcurrentDictionary<HubStream, Broadcast> _broadcasts = new(ReferenceEqualityComparer.Instance);

    public void OnStreamStarted(HubStream stream) => _broadcasts[stream] = new Broadcast(NameOfAsync(stream.Id), stream.Publisher?.Info);

    public void OnTracksKnown(HubStream stream)
    {
        if (_broadcasts.TryGetValue(stream, out var broadcast))
        {
            LogStart(stream, broadcast);
        }
    }

    public void OnPublisherResumed(HubStream stream)
    {
        if (_broadcasts.TryGetValue(stream, out var broadcast) && stream.Publisher?.Info is { } publisher)
        {
            _ = LogAsync(broadcast.Name, n => Log.Resumed(logger, n, stream.Id, publisher.Protocol, publisher.RemoteAddress));
        }
    }

    public void OnStreamEnded(HubStream stream)
    {
        if (!_broadcasts.TryRemove(stream, out var broadcast))
        {
            return;
        }

        LogStart(stream, broadcast);
        var duration = (stream.StoppedAt ?? time.GetUtcNow()) - stream.StartedAt;
        string reason = stream.EndReason ?? "unpublished";
        _ = stream.EndKind == StreamEndKind.PublisherLost
            ? LogAsync(broadcast.Name, n => Log.Lost(logger, n, stream.Id, Format(duration), reason))
            : LogAsync(broadcast.Name, n => Log.Ended(logger, n, stream.Id, Format(duration), reason));
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

    /// <summary>Writes the start line once, with the tracks the stream has now.</summary>
    private void LogStart(HubStream stream, Broadcast broadcast)
    {
        if (Interlocked.Exchange(ref broadcast.Started, 1) == 0)
        {
            string tracks = DescribeTracks(stream);
            var publisher = broadcast.Publisher;
            _ = LogAsync(broadcast.Name, n => Log.Started(logger, n, stream.Id, publisher?.Protocol ?? "?", publisher?.RemoteAddress ?? "?", tracks));
        }
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

    /// <summary>A live stream's name (looked up once) and first publisher, and whether its start line was written.</summary>
    private sealed class Broadcast(Task<string> name, PublisherInfo? publisher)
    {
        public int Started;

        public Task<string> Name => name;

        public PublisherInfo? Publisher => publisher;
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
