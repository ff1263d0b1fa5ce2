using Stagecast.Server.Hosting.Api;
using Stagecast.Streaming;

namespace Stagecast.Server.Features.Thumbnails;

/// <summary>The answer to <c>GET /{livestream_id}/thumbnail.jpg</c>: the live stream's newest picture, or why there is none.</summary>
public static class ThumbnailEndpoint
{
    /// <summary>
    /// A picture changes with every keyframe (one or two seconds apart): a cache may answer with it for a second, and
    /// asks again with its ETag after that.
    /// </summary>
    public const string CacheControl = "public, max-age=1";

    public static async Task<IResult> AnswerAsync(HttpContext context, string livestream_id, StreamHub hub, ThumbnailService thumbnails)
    {
        var headers = context.Response.Headers;
        headers.AccessControlAllowOrigin = "*";
        if (!ThumbnailWidth.TryParse(context.Request.Query.TryGetValue("width", out var asked) ? asked.ToString() : null, out int width))
        {
            return ApiResults.Error(StatusCodes.Status400BadRequest, ThumbnailWidth.Invalid);
        }

        if (hub.Find(livestream_id) is not { State: not HubStreamState.Ended } stream)
        {
            return ApiResults.Error(StatusCodes.Status404NotFound, "no live stream with this id");
        }

        if (stream.Video is { } video && !KeyframeDecoder.CanDecode(video.Codec))
        {
            return ApiResults.Error(StatusCodes.Status404NotFound, $"no picture of {video.Codec} video: thumbnails are made of H.264 and H.265");
        }

        if (stream.KeyframeCount == 0)
        {
            return ApiResults.Error(StatusCodes.Status404NotFound, "no picture yet: the stream has sent no video keyframe");
        }

        if (await thumbnails.GetAsync(stream, width, context.RequestAborted).ConfigureAwait(false) is not { } picture)
        {
            headers.RetryAfter = "1";
            return ApiResults.Error(StatusCodes.Status503ServiceUnavailable, "the picture could not be made now; ask again");
        }

        headers.ETag = picture.ETag;
        headers.CacheControl = CacheControl;
        headers.XContentTypeOptions = "nosniff";
        return context.Request.Headers.IfNoneMatch == picture.ETag
            ? Results.StatusCode(StatusCodes.Status304NotModified)
            : Results.Bytes(picture.Jpeg, "image/jpeg");
    }
}
