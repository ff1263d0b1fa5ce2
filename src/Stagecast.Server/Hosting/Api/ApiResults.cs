using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Stagecast.Server.Hosting.Database;

namespace Stagecast.Server.Hosting.Api;

/// <summary>Typed results in the API's envelopes, so OpenAPI knows each endpoint's answer from its signature.</summary>
public static class ApiResults
{
    public static Ok<ApiResponse<T>> Ok<T>(T data) => TypedResults.Ok(new ApiResponse<T>(true, data));

    public static Created<ApiResponse<T>> Created<T>(HttpContext context, string id, T data) =>
        TypedResults.Created($"{context.Request.Path.Value!.TrimEnd('/')}/{id}", new ApiResponse<T>(true, data));

    public static Ok<ApiListResponse<T>> List<T>(IReadOnlyList<T> items, Paging paging, long totalCount) =>
        TypedResults.Ok(new ApiListResponse<T>(true, items, PagingDto.For(paging, items.Count, totalCount)));

    public static Ok<ApiPagedResponse<T>> Paged<T>(T data, Paging paging, int itemCount, long totalCount) =>
        TypedResults.Ok(new ApiPagedResponse<T>(true, data, PagingDto.For(paging, itemCount, totalCount)));

    public static Ok<ApiResponse<MessageDto>> Message(string message) => Ok(new MessageDto(message));

    public static JsonHttpResult<ApiErrorResponse> Error(int status, string message) =>
        TypedResults.Json(Envelope(status, message), ApiJson.ErrorEnvelope, statusCode: status);

    /// <summary>
    /// A whole HTTP/1.1 answer carrying the error envelope, for answers written on the connection itself:
    /// <paramref name="head"/> is the status line and any headers, each ending in CRLF.
    /// </summary>
    public static byte[] RawErrorResponse(string head, int status, string message)
    {
        byte[] body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(Envelope(status, message), ApiJson.ErrorEnvelope);
        return [.. System.Text.Encoding.ASCII.GetBytes($"{head}Content-Type: application/json; charset=utf-8\r\nContent-Length: {body.Length}\r\n\r\n"), .. body];
    }

    /// <summary>Writes the error envelope outside an endpoint (authentication challenges, the exception handler, fallbacks).</summary>
    public static Task WriteErrorAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(Envelope(status, message), ApiJson.ErrorEnvelope);
    }

    private static ApiErrorResponse Envelope(int status, string message) => new(false, new ApiError(status, message));
}
