namespace Stagecast.Server.Api;

public static class ApiResults
{
    public static IResult Ok<T>(T data) => TypedResults.Ok(new ApiResponse<T>(true, data));

    public static IResult Created<T>(string location, T data) => TypedResults.Created(location, new ApiResponse<T>(true, data));

    public static IResult List<T>(IReadOnlyList<T> items, Persistence.Paging paging, long totalCount) =>
        TypedResults.Ok(new ApiListResponse<T>(true, items, PagingDto.For(paging, items.Count, totalCount)));

    public static IResult Error(int status, string message) =>
        TypedResults.Json(new ApiErrorResponse(false, new ApiError(status, message)), statusCode: status);

    public static Task WriteErrorAsync(HttpContext context, int status, string message) =>
        context.Response.WriteAsJsonAsync(new ApiErrorResponse(false, new ApiError(status, message)), context.RequestServices
            .GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions);
}
