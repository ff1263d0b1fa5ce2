using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Rooms.Api;

/// <summary>
/// The bytes of files sent in chat, on every host (the RealtimeKit client's <c>api.</c> host and the server's own):
/// <c>PUT /chat-uploads/{id}</c> through the signed link <see cref="ChatFiles.ReserveAsync"/> gave, and
/// <c>GET /chat-files/{id}/{name}</c> through a signed download link. The link is the credential (a browser's
/// &lt;img&gt; sends no token); answered to any origin, as the page that shows them is the app's.
/// </summary>
public static class ChatFilesApi
{
    public const string CorsPolicy = "chat-files";

    public static void AddCorsPolicy(Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions options) =>
        options.AddPolicy(CorsPolicy, policy => policy
            .AllowAnyOrigin()
            .WithMethods(HttpMethods.Get, HttpMethods.Put)
            .AllowAnyHeader()
            .SetPreflightMaxAge(TimeSpan.FromDays(1)));

    public static IEndpointRouteBuilder MapChatFiles(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPut(ChatFiles.UploadsPath + "/{id}", UploadAsync).RequireCors(CorsPolicy).ExcludeFromDescription();
        endpoints.MapGet(ChatFiles.FilesPath + "/{id}/{name}", DownloadAsync).RequireCors(CorsPolicy).ExcludeFromDescription();
        return endpoints;
    }

    /// <summary>
    /// The bytes of a reserved file, taken only while its participant may still send files in a live session of its
    /// meeting (<see cref="MeetingRooms.RequireFileSender"/>), as at its reservation.
    /// </summary>
    private static async Task<Ok<ApiResponse<MessageDto>>> UploadAsync(HttpContext context, ChatFiles files, MeetingRooms rooms, string id)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = files.MaxBytes + 1; // the store refuses past MaxBytes with the envelope, not Kestrel with a bare 413
        }

        var query = context.Request.Query;
        var file = await files.ReservedAsync(context.Request.Path.Value!, query["expires"], query["signature"], id).ConfigureAwait(false);
        rooms.RequireFileSender(file.MeetingId, file.ParticipantId);
        await files.StoreAsync(file, context.Request.ContentType, context.Request.ContentLength, context.Request.Body, context.RequestAborted).ConfigureAwait(false);
        return ApiResults.Message("uploaded");
    }

    /// <summary>
    /// Bytes in the chat files' S3 bucket are streamed through (not redirected to a presigned URL): the same headers as
    /// from the data directory, the same link lifetime, and the bucket need not be reachable from browsers.
    /// </summary>
    private static async Task<IResult> DownloadAsync(HttpContext context, ChatFiles files, ChatFileStorage storage, string id)
    {
        var query = context.Request.Query;
        var (file, bytes) = await files.OpenAsync(context.Request.Path.Value!, query["expires"], query["signature"], id).ConfigureAwait(false);
        // Pictures show inline; anything else is a download, never a page: browsers save it rather than render or sniff it.
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.Headers.CacheControl = "private, max-age=3600";
        context.Response.Headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
        string contentType = file.IsImage ? file.ContentType : "application/octet-stream";
        string? downloadName = file.IsImage ? null : file.Name;
        if (file.StorageKey is null)
        {
            return TypedResults.PhysicalFile(bytes, contentType, downloadName, enableRangeProcessing: true);
        }

        var stored = await storage.GetAsync(file, context.RequestAborted).ConfigureAwait(false);
        context.Response.RegisterForDispose(stored);
        context.Response.ContentLength = stored.Content.Headers.ContentLength;
        return TypedResults.Stream(await stored.Content.ReadAsStreamAsync(context.RequestAborted).ConfigureAwait(false), contentType, downloadName);
    }
}
