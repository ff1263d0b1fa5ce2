using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Stagecast.Hls.Storage;
using Stagecast.Media.Hls;

namespace Stagecast.Hls.Serving;

/// <summary>
/// Serves LL-HLS playback from memory. The playback URL is the multivariant playlist; it hands each player a
/// media playlist URL with the broadcast epoch and a per-player id, under which every other file resolves.
/// <code>
/// /{id}/manifest/video.m3u8                         multivariant playlist
/// /{id}/manifest/{epoch}/{player}/stream.m3u8       media playlist (blocking reload: _HLS_msn, _HLS_part)
/// /{id}/manifest/{epoch}/{player}/init0.mp4 | seg3.m4s | part12.m4s
/// /{id}/manifest/{epoch}/…                          the same without a player id
/// </code>
/// Every answer carries <c>Access-Control-Allow-Origin: *</c>, with or without an Origin in the request, rather than
/// going through ASP.NET's CORS middleware (which adds it only when asked): an HLS edge or CDN keeps one copy of a
/// segment for every viewer, so the copy must be right for pages on any origin, whoever fetched it first.
/// </summary>
public static class HlsEndpoints
{
    public static IEndpointRouteBuilder MapHlsPlayback(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/{streamId}/manifest").ExcludeFromDescription();
        group.MapGet("/" + HlsNaming.MultivariantPlaylist, ServeMultivariantAsync);
        group.MapGet("/{epoch}/{player}/{file}", (HttpContext context, HlsStreamRegistry registry, string streamId, string epoch, string player, string file) =>
            ServeFileAsync(context, registry, streamId, epoch, player, file));
        group.MapGet("/{epoch}/{file}", (HttpContext context, HlsStreamRegistry registry, string streamId, string epoch, string file) =>
            ServeFileAsync(context, registry, streamId, epoch, null, file));
        return endpoints;
    }

    private static async Task ServeMultivariantAsync(HttpContext context, HlsStreamRegistry registry, string streamId)
    {
        if (!registry.TryGet(streamId, out var stream))
        {
            await NotFoundAsync(context, "no live stream with this id").ConfigureAwait(false);
            return;
        }

        // A player that arrives right after publishing starts waits for the first segment instead of failing.
        var snapshot = await stream.WaitForPlaylistAsync(null, null, context.RequestAborted).ConfigureAwait(false);
        if (snapshot is null || stream.CurrentLayout is not { } layout)
        {
            await UnavailableAsync(context, "the stream has not produced media yet").ConfigureAwait(false);
            return;
        }

        string codecs = string.Join(',', new[] { layout.Video?.CodecString, layout.Audio?.CodecString }.Where(c => c is not null));
        string mediaPlaylist = $"{stream.Epoch}/{NewPlayerId()}/{HlsNaming.MediaPlaylist}";
        var output = new ArrayBufferWriter<byte>(256);
        MultivariantPlaylistWriter.Write(output, Math.Max(stream.MeasuredPeakBitrate(), 1000), codecs,
            layout.Video?.Width ?? 0, layout.Video?.Height ?? 0, layout.Video?.FrameRate, mediaPlaylist);
        await WriteAsync(context, HlsContentTypes.Playlist, HlsContentTypes.NoCache, output.WrittenMemory).ConfigureAwait(false);
    }

    private static async Task ServeFileAsync(HttpContext context, HlsStreamRegistry registry, string streamId, string epoch, string? player, string file)
    {
        if (!registry.TryGet(streamId, out var stream) || stream.Epoch != epoch || (player is not null && !IsPlayerId(player)))
        {
            await NotFoundAsync(context, "no such stream or broadcast").ConfigureAwait(false);
            return;
        }

        var cancellation = context.RequestAborted;
        if (file == HlsNaming.MediaPlaylist)
        {
            await ServeMediaPlaylistAsync(context, stream).ConfigureAwait(false);
        }
        else if (HlsNaming.TryParsePart(file, out long number))
        {
            var media = await stream.WaitForPartAsync(number, cancellation).ConfigureAwait(false);
            await WriteMediaAsync(context, stream, player, media).ConfigureAwait(false);
        }
        else if (HlsNaming.TryParseSegment(file, out long msn))
        {
            var media = await stream.WaitForSegmentAsync(msn, cancellation).ConfigureAwait(false);
            await WriteMediaAsync(context, stream, player, media).ConfigureAwait(false);
        }
        else if (HlsNaming.TryParseInit(file, out int mapId) && stream.TryGetInit(mapId, out byte[]? init, out _))
        {
            await WriteAsync(context, HlsContentTypes.Mp4, HlsContentTypes.Immutable, init).ConfigureAwait(false);
        }
        else
        {
            await NotFoundAsync(context, "no such file").ConfigureAwait(false);
        }
    }

    private static async Task ServeMediaPlaylistAsync(HttpContext context, HlsStream stream)
    {
        var query = context.Request.Query;
        if (!TryReadNumber(query, "_HLS_msn", out long? msn) || !TryReadNumber(query, "_HLS_part", out long? part))
        {
            await BadRequestAsync(context, "_HLS_msn and _HLS_part must be non-negative integers").ConfigureAwait(false);
            return;
        }

        if (part is not null && msn is null)
        {
            await BadRequestAsync(context, "_HLS_part requires _HLS_msn").ConfigureAwait(false);
            return;
        }

        if (msn is not null && stream.Snapshot is { } current && msn > current.MaxRequestableMsn)
        {
            await BadRequestAsync(context, $"_HLS_msn={msn} is too far ahead of the live edge ({current.MaxRequestableMsn - 2})").ConfigureAwait(false);
            return;
        }

        int? partIndex = part is null ? null : (int)Math.Min(part.Value, int.MaxValue);
        var snapshot = await stream.WaitForPlaylistAsync(msn, partIndex, context.RequestAborted).ConfigureAwait(false);
        if (snapshot is null)
        {
            await UnavailableAsync(context, "the requested part did not appear in time").ConfigureAwait(false);
            return;
        }

        string cacheControl = msn is null ? HlsContentTypes.NoCache : HlsContentTypes.Blocking(stream.TargetDurationSeconds);
        await WriteAsync(context, HlsContentTypes.Playlist, cacheControl, snapshot.Playlist).ConfigureAwait(false);
    }

    private static async Task WriteMediaAsync(HttpContext context, HlsStream stream, string? player, MediaBuffers? media)
    {
        if (media is null)
        {
            await NotFoundAsync(context, "no such part or segment").ConfigureAwait(false);
            return;
        }

        try
        {
            var response = context.Response;
            response.ContentType = HlsContentTypes.Mp4;
            response.Headers.CacheControl = HlsContentTypes.Immutable;
            response.Headers.AccessControlAllowOrigin = "*";
            response.ContentLength = media.Length;
            foreach (var buffer in media.Buffers)
            {
                await response.Body.WriteAsync(buffer.Memory, context.RequestAborted).ConfigureAwait(false);
            }

            stream.Viewers.RecordDelivery(player ?? AnonymousPlayer(context), media.MediaStart, media.MediaEnd);
        }
        finally
        {
            media.Release();
        }
    }

    /// <summary>A player without an id in its URL: told apart by client address and user agent.</summary>
    private static string AnonymousPlayer(HttpContext context) =>
        $"{context.Connection.RemoteIpAddress}|{context.Request.Headers.UserAgent}";

    private static async Task WriteAsync(HttpContext context, string contentType, string cacheControl, ReadOnlyMemory<byte> body)
    {
        var response = context.Response;
        response.ContentType = contentType;
        response.Headers.CacheControl = cacheControl;
        response.Headers.AccessControlAllowOrigin = "*";
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    private static Task NotFoundAsync(HttpContext context, string message) => WriteErrorAsync(context, StatusCodes.Status404NotFound, message);

    private static Task BadRequestAsync(HttpContext context, string message) => WriteErrorAsync(context, StatusCodes.Status400BadRequest, message);

    private static Task UnavailableAsync(HttpContext context, string message)
    {
        context.Response.Headers.RetryAfter = "1";
        return WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, message);
    }

    private static Task WriteErrorAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.Headers.CacheControl = HlsContentTypes.NoCache;
        context.Response.Headers.AccessControlAllowOrigin = "*";
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(message + "\n", context.RequestAborted);
    }

    private static bool TryReadNumber(IQueryCollection query, string name, out long? value)
    {
        value = null;
        if (!query.TryGetValue(name, out var raw))
        {
            return true;
        }

        if (long.TryParse(raw.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out long parsed))
        {
            value = parsed;
            return true;
        }

        return false;
    }

    private static string NewPlayerId() => Base64Url(RandomNumberGenerator.GetBytes(9));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).Replace('+', '-').Replace('/', '_').TrimEnd('=');

    private static bool IsPlayerId(string value) =>
        value.Length is > 0 and <= 32 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
