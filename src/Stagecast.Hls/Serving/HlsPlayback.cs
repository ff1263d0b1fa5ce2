using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Stagecast.Hls.Storage;
using Stagecast.Media.Hls;
using Stagecast.Streaming.Renditions;

namespace Stagecast.Hls.Serving;

/// <summary>
/// A playback path taken apart: the stream, and for anything but the multivariant playlist the broadcast epoch, the
/// player id (optional) and the file.
/// <code>
/// /{id}/manifest/video.m3u8                         multivariant playlist
/// /{id}/manifest/{epoch}/{player}/stream.m3u8       media playlist (blocking reload: _HLS_msn, _HLS_part)
/// /{id}/manifest/{epoch}/{player}/init0.mp4 | seg3.m4s | part12.m4s
/// /{id}/manifest/{epoch}/{player}/subs.m3u8 | subs12.vtt   subtitles (a stream carrying timed text)
/// /{id}/manifest/{epoch}/…                          the same without a player id
/// </code>
/// </summary>
internal readonly record struct PlaybackPath(string StreamId, string? Epoch, string? Player, string? File, RouteEndpoint Route)
{
    private const string Prefix = "/{streamId}/manifest/";
    private static readonly RouteEndpoint Multivariant = RouteLabel(Prefix + HlsNaming.MultivariantPlaylist);
    private static readonly RouteEndpoint PlayerFile = RouteLabel(Prefix + "{epoch}/{player}/{file}");
    private static readonly RouteEndpoint AnyFile = RouteLabel(Prefix + "{epoch}/{file}");

    /// <summary>Takes a path apart; false for a path of another shape (not playback).</summary>
    public static bool TryParse(ReadOnlySpan<char> path, out PlaybackPath parsed)
    {
        parsed = default;
        if (path.Length < 2 || path[0] != '/')
        {
            return false;
        }

        path = path[1..];
        Span<Range> segments = stackalloc Range[6];
        int count = path.Split(segments, '/');
        if (count is < 3 or > 5 || !path[segments[1]].SequenceEqual("manifest"))
        {
            return false;
        }

        for (int i = 0; i < count; i++)
        {
            if (path[segments[i]].IsEmpty)
            {
                return false;
            }
        }

        string streamId = path[segments[0]].ToString();
        if (count == 3)
        {
            if (!path[segments[2]].SequenceEqual(HlsNaming.MultivariantPlaylist))
            {
                return false;
            }

            parsed = new PlaybackPath(streamId, null, null, null, Multivariant);
            return true;
        }

        parsed = new PlaybackPath(streamId, path[segments[2]].ToString(), count == 5 ? path[segments[3]].ToString() : null,
            path[segments[count - 1]].ToString(), count == 5 ? PlayerFile : AnyFile);
        return true;
    }

    private static RouteEndpoint RouteLabel(string pattern) =>
        new(_ => Task.CompletedTask, RoutePatternFactory.Parse(pattern), 0, EndpointMetadataCollection.Empty, "HLS " + pattern);
}

/// <summary>
/// What a playback request is answered with, whichever front end writes it (<see cref="HlsEndpoints"/> inside
/// ASP.NET's pipeline, <see cref="PlaybackConnections"/> on the connection). A part or segment holds a reference to
/// its buffers until <see cref="Release"/>.
/// </summary>
internal sealed class PlaybackAnswer
{
    private const string ErrorType = "text/plain; charset=utf-8";

    private PlaybackAnswer(int status, string contentType, string cacheControl, ReadOnlyMemory<byte> body, MediaBuffers? media)
    {
        Status = status;
        ContentType = contentType;
        CacheControl = cacheControl;
        Body = body;
        Media = media;
    }

    public int Status { get; }

    public string ContentType { get; }

    public string CacheControl { get; }

    /// <summary>The body when it is not <see cref="Media"/>: a playlist, an init segment, an error's text.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>A part's or segment's buffers, each with a reference taken.</summary>
    public MediaBuffers? Media { get; }

    /// <summary>The stream whose media this is, for the viewer accounting once it is delivered.</summary>
    private HlsStream? DeliveredFrom { get; init; }

    /// <summary>Set on 503: when to ask again, in seconds.</summary>
    public bool RetryAfter { get; private init; }

    /// <summary>Set on 405: the methods playback answers.</summary>
    public bool Allow { get; private init; }

    public long Length => Media?.Length ?? Body.Length;

    public static PlaybackAnswer MethodNotAllowed { get; } = new(StatusCodes.Status405MethodNotAllowed, "playback answers only GET and HEAD") { Allow = true };

    public static PlaybackAnswer Ok(string contentType, string cacheControl, ReadOnlyMemory<byte> body) => new(StatusCodes.Status200OK, contentType, cacheControl, body, null);

    public static PlaybackAnswer Ok(HlsStream stream, MediaBuffers media) =>
        new(StatusCodes.Status200OK, HlsContentTypes.Mp4, HlsContentTypes.Immutable, default, media) { DeliveredFrom = stream };

    public static PlaybackAnswer NotFound(string message) => new(StatusCodes.Status404NotFound, message);

    public static PlaybackAnswer BadRequest(string message) => new(StatusCodes.Status400BadRequest, message);

    public static PlaybackAnswer Unavailable(string message) => new(StatusCodes.Status503ServiceUnavailable, message) { RetryAfter = true };

    private PlaybackAnswer(int status, string message)
        : this(status, ErrorType, HlsContentTypes.NoCache, Encoding.UTF8.GetBytes(message + "\n"), null)
    {
    }

    /// <summary>
    /// Counts a delivered part or segment toward its player's viewing time. A player without an id in its URL is told
    /// apart by client address and user agent.
    /// </summary>
    public void RecordDelivery(in PlaybackPath path, System.Net.IPAddress? address, string? userAgent)
    {
        if (DeliveredFrom is { } stream)
        {
            stream.Viewers.RecordDelivery(path.Player ?? $"{address}|{userAgent}", Media!.MediaStart, Media.MediaEnd);
        }
    }

    /// <summary>Returns the media's buffers (once written or abandoned).</summary>
    public void Release() => Media?.Release();
}

/// <summary>
/// The answers to playback requests, shared by both front ends. Every answer carries <c>Access-Control-Allow-Origin: *</c>
/// (the front ends add it), with or without an Origin in the request, rather than going through ASP.NET's CORS
/// middleware (which adds it only when asked): an HLS edge or CDN keeps one copy of a segment for every viewer, so the
/// copy must be right for pages on any origin, whoever fetched it first.
/// </summary>
internal static class HlsPlayback
{
    /// <summary>
    /// Whether this node answers the path itself: its stream is live here. A path of a stream that is not (ended, on
    /// another node) is left to ASP.NET's pipeline, where the cluster forwards it or the playback middleware says 404.
    /// </summary>
    public static bool IsLocal(HlsStreamRegistry registry, in PlaybackPath path) =>
        registry.TryGet(path.StreamId, out var stream) && (path.Epoch is null || stream.Epoch == path.Epoch);

    /// <summary>The answer to a GET or HEAD; the query's numbers as parsed by the front end (false when not numbers).</summary>
    public static async Task<PlaybackAnswer> AnswerAsync(HlsStreamRegistry registry, PlaybackPath path, PlaybackQuery query, CancellationToken cancellation)
    {
        if (!registry.TryGet(path.StreamId, out var stream))
        {
            return PlaybackAnswer.NotFound(path.File is null ? "no live stream with this id" : "no such stream or broadcast");
        }

        if (path.File is null)
        {
            return await MultivariantAsync(stream, cancellation).ConfigureAwait(false);
        }

        if (stream.Epoch != path.Epoch || (path.Player is not null && !IsPlayerId(path.Player)))
        {
            return PlaybackAnswer.NotFound("no such stream or broadcast");
        }

        var (rendition, file) = HlsNaming.SplitRendition(path.File);
        if (rendition is not null)
        {
            if (stream.FindRendition(rendition) is not { } encode)
            {
                return PlaybackAnswer.NotFound("no such rendition");
            }

            stream = encode;
        }

        if (file == HlsNaming.MediaPlaylist)
        {
            return await MediaPlaylistAsync(stream, query, cancellation).ConfigureAwait(false);
        }

        if (rendition is null && file == HlsNaming.SubtitlesPlaylist)
        {
            return stream.RenderSubtitlesPlaylist() is { } subtitles
                ? PlaybackAnswer.Ok(HlsContentTypes.Playlist, HlsContentTypes.NoCache, subtitles)
                : PlaybackAnswer.NotFound("this stream carries no subtitles");
        }

        if (rendition is null && HlsNaming.TryParseSubtitles(file, out long subtitlesPart))
        {
            return stream.RenderSubtitles(subtitlesPart) is { } cues
                ? PlaybackAnswer.Ok(HlsContentTypes.WebVtt, HlsContentTypes.Immutable, cues)
                : PlaybackAnswer.NotFound("no such subtitles segment");
        }

        if (HlsNaming.TryParsePart(file, out long number))
        {
            return Media(stream, await stream.WaitForPartAsync(number, cancellation).ConfigureAwait(false));
        }

        if (HlsNaming.TryParseSegment(file, out long msn))
        {
            return Media(stream, await stream.WaitForSegmentAsync(msn, cancellation).ConfigureAwait(false));
        }

        return HlsNaming.TryParseInit(file, out int mapId) && stream.TryGetInit(mapId, out byte[]? init, out _)
            ? PlaybackAnswer.Ok(HlsContentTypes.Mp4, HlsContentTypes.Immutable, init)
            : PlaybackAnswer.NotFound("no such file");
    }

    private static PlaybackAnswer Media(HlsStream stream, MediaBuffers? media) =>
        media is null ? PlaybackAnswer.NotFound("no such part or segment") : PlaybackAnswer.Ok(stream, media);

    private static async Task<PlaybackAnswer> MultivariantAsync(HlsStream stream, CancellationToken cancellation)
    {
        // A player that arrives right after publishing starts waits for the first segment instead of failing.
        var snapshot = await stream.WaitForPlaylistAsync(null, null, cancellation).ConfigureAwait(false);
        // One player id for every rendition: a viewer is counted once whichever it plays.
        string folder = $"{stream.Epoch}/{NewPlayerId()}/";
        if (snapshot is null || Variant(stream, folder) is not { } source)
        {
            return PlaybackAnswer.Unavailable("the stream has not produced media yet");
        }

        var variants = new List<PlaylistVariant> { source };
        foreach (var rendition in stream.Renditions)
        {
            if (IsInStep(rendition, snapshot) && Variant(rendition, folder) is { } variant)
            {
                variants.Add(variant);
            }
        }

        var subtitles = stream.TimedText is { } track ? new PlaylistSubtitles(track.Name, track.Language, folder + HlsNaming.SubtitlesPlaylist) : (PlaylistSubtitles?)null;
        var output = new ArrayBufferWriter<byte>(256 * (variants.Count + 1));
        MultivariantPlaylistWriter.Write(output, variants, subtitles);
        return PlaybackAnswer.Ok(HlsContentTypes.Playlist, HlsContentTypes.NoCache, output.WrittenMemory);
    }

    /// <summary>A stream as the multivariant playlist lists it; null before it has media.</summary>
    private static PlaylistVariant? Variant(HlsStream stream, string folder)
    {
        if (stream.CurrentLayout is not { } layout || stream.Snapshot is null)
        {
            return null;
        }

        string codecs = string.Join(',', new[] { layout.Video?.CodecString, layout.Audio?.CodecString }.Where(c => c is not null));
        long peak = stream.MeasuredPeakBitrate();
        long? average = stream.MeasuredAverageBitrate();
        if (peak == 0 && stream.Rendition is { } name && RenditionLadder.Find(name) is { } nominal)
        {
            peak = nominal.VideoBitrate; // before its first segment, an encode is listed at its nominal rate
        }

        return new PlaylistVariant(Math.Max(peak, 1000), average, codecs, layout.Video?.Width ?? 0, layout.Video?.Height ?? 0,
            layout.Video?.FrameRate, folder + HlsNaming.MediaPlaylistOf(stream.Rendition));
    }

    /// <summary>
    /// Whether an encode keeps up with its source: its newest part no more than two target durations behind. One that
    /// falls behind (a transcoder short of CPU, or restarting) is left out of new multivariant playlists until it is back.
    /// </summary>
    private static bool IsInStep(HlsStream rendition, PlaylistSnapshot source) =>
        rendition.Snapshot is { Ended: false } own
        && source.LastPartNumber - own.LastPartNumber <= 2 * rendition.TargetDurationSeconds / rendition.Header.PartTarget;

    private static async Task<PlaybackAnswer> MediaPlaylistAsync(HlsStream stream, PlaybackQuery query, CancellationToken cancellation)
    {
        if (!query.Valid)
        {
            return PlaybackAnswer.BadRequest("_HLS_msn and _HLS_part must be non-negative integers");
        }

        if (query.Part is not null && query.Msn is null)
        {
            return PlaybackAnswer.BadRequest("_HLS_part requires _HLS_msn");
        }

        if (query.Msn is { } msn && stream.Snapshot is { } current && msn > current.MaxRequestableMsn)
        {
            return PlaybackAnswer.BadRequest($"_HLS_msn={msn} is too far ahead of the live edge ({current.MaxRequestableMsn - 2})");
        }

        int? partIndex = query.Part is { } part ? (int)Math.Min(part, int.MaxValue) : null;
        var snapshot = await stream.WaitForPlaylistAsync(query.Msn, partIndex, cancellation).ConfigureAwait(false);
        if (snapshot is null)
        {
            return PlaybackAnswer.Unavailable("the requested part did not appear in time");
        }

        string cacheControl = query.Msn is null ? HlsContentTypes.NoCache : HlsContentTypes.Blocking(stream.TargetDurationSeconds);
        return PlaybackAnswer.Ok(HlsContentTypes.Playlist, cacheControl, snapshot.Playlist);
    }

    private static string NewPlayerId() => Base64Url(RandomNumberGenerator.GetBytes(9));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).Replace('+', '-').Replace('/', '_').TrimEnd('=');

    private static bool IsPlayerId(string value) =>
        value.Length is > 0 and <= 32 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}

/// <summary>The blocking-reload position a playlist request asks for; not <see cref="Valid"/> when a value was not a non-negative integer.</summary>
internal readonly record struct PlaybackQuery(long? Msn, long? Part, bool Valid)
{
    public static PlaybackQuery None => new(null, null, true);
}
