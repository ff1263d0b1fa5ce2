using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Stagecast.Hls.Serving;

/// <summary>
/// Serves LL-HLS playback (<see cref="PlaybackPath"/>, answered by <see cref="HlsPlayback"/>) inside ASP.NET's pipeline.
/// The playback URL is the multivariant playlist; it hands each player a media playlist URL with the broadcast epoch
/// and a per-player id, under which every other file resolves. On the server's own HTTP port most playback requests
/// never get here: <see cref="PlaybackConnections"/> answers them on the connection, and what it leaves (a stream on
/// another node, anything unusual) comes this way.
/// <para>
/// A middleware, not routed endpoints: these are most of the server's requests (a player asks for a playlist and a
/// part three times a second), and the API's middleware they would pass through (errors, routing, CORS, rate limit,
/// authentication, authorization) does nothing for them but took an eighth of the server's CPU at 45,000 playlist
/// requests a second. A path of another shape goes on down the pipeline. The request is still labelled with its
/// route for the metrics.
/// </para>
/// </summary>
public static class HlsEndpoints
{
    /// <summary>Answers the playback paths above; put it after the middleware that must see every request (metrics, cluster forwarding).</summary>
    public static IApplicationBuilder UseHlsPlayback(this IApplicationBuilder app)
    {
        var registry = app.ApplicationServices.GetRequiredService<HlsStreamRegistry>();
        return app.Use((context, next) => PlaybackPath.TryParse(context.Request.Path.Value, out var path) ? ServeAsync(context, registry, path) : next(context));
    }

    /// <summary>A player gone while it waited or downloaded is no error; anything else is left to the server's log.</summary>
    private static async Task ServeAsync(HttpContext context, HlsStreamRegistry registry, PlaybackPath path)
    {
        context.SetEndpoint(path.Route);
        var answer = HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
            ? null
            : PlaybackAnswer.MethodNotAllowed;
        try
        {
            answer ??= await HlsPlayback.AnswerAsync(registry, path, ReadQuery(context.Request.Query), context.RequestAborted).ConfigureAwait(false);
            await WriteAsync(context, answer).ConfigureAwait(false);
            if (!HttpMethods.IsHead(context.Request.Method))
            {
                answer.RecordDelivery(path, context.Connection.RemoteIpAddress, context.Request.Headers.UserAgent);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
        finally
        {
            answer?.Release();
        }
    }

    private static async Task WriteAsync(HttpContext context, PlaybackAnswer answer)
    {
        var response = context.Response;
        response.StatusCode = answer.Status;
        response.ContentType = answer.ContentType;
        response.Headers.CacheControl = answer.CacheControl;
        response.Headers.AccessControlAllowOrigin = "*";
        if (answer.RetryAfter)
        {
            response.Headers.RetryAfter = "1";
        }

        if (answer.Allow)
        {
            response.Headers.Allow = "GET, HEAD";
        }

        response.ContentLength = answer.Length;
        if (answer.Media is { } media)
        {
            foreach (var buffer in media.Buffers)
            {
                await response.Body.WriteAsync(buffer.Memory, context.RequestAborted).ConfigureAwait(false);
            }
        }
        else
        {
            await response.Body.WriteAsync(answer.Body, context.RequestAborted).ConfigureAwait(false);
        }
    }

    private static PlaybackQuery ReadQuery(IQueryCollection query)
    {
        bool valid = TryReadNumber(query, "_HLS_msn", out long? msn) & TryReadNumber(query, "_HLS_part", out long? part);
        return new PlaybackQuery(msn, part, valid);
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
}
