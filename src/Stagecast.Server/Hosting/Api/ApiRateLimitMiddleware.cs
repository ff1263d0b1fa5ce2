namespace Stagecast.Server.Hosting.Api;

/// <summary>Marks endpoints of the REST API for <see cref="ApiRateLimitMiddleware"/>.</summary>
public sealed class ApiEndpointMetadata
{
    public static readonly ApiEndpointMetadata Instance = new();
}

/// <summary>
/// Requests to the REST API beyond the credential's rate get 429 with <c>Retry-After: 1</c>, before authentication
/// or any other work is spent on them.
/// </summary>
public sealed class ApiRateLimitMiddleware(RequestDelegate next, ApiRateLimiter limiter)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<ApiEndpointMetadata>() is null
            || limiter.TryAcquire(context.Request.Headers.Authorization.ToString()))
        {
            return next(context);
        }

        context.Response.Headers.RetryAfter = "1";
        return ApiResults.WriteErrorAsync(context, StatusCodes.Status429TooManyRequests, "too many requests; retry after 1 second");
    }
}
