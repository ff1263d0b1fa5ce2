namespace Stagecast.Server.Hosting.Api;

/// <summary>Marks endpoints of the REST API for <see cref="ApiRateLimitMiddleware"/>.</summary>
public sealed class ApiEndpointMetadata
{
    public static readonly ApiEndpointMetadata Instance = new();
}

/// <summary>
/// Requests to the REST API beyond the credential's rate get 429 with <c>Retry-After: 1</c>, before authentication
/// or any other work is spent on them. The bucket is the bearer token as authentication reads it, not the raw header:
/// every spelling authentication accepts (<c>bearer</c>, <c>BEARER</c>, extra spaces) is the same credential and
/// shares one rate. Requests without a bearer token share one bucket (they are refused anyway).
/// </summary>
public sealed class ApiRateLimitMiddleware(RequestDelegate next, ApiRateLimiter limiter)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<ApiEndpointMetadata>() is null
            || limiter.TryAcquire(BearerToken.From(context.Request) ?? string.Empty))
        {
            return next(context);
        }

        context.Response.Headers.RetryAfter = "1";
        return ApiResults.WriteErrorAsync(context, StatusCodes.Status429TooManyRequests, "too many requests; retry after 1 second");
    }
}
