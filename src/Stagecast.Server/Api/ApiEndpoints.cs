using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace Stagecast.Server.Api;

/// <summary>
/// The REST API under both base paths RealtimeKit clients use, with the error envelope for every failure:
/// <c>/client/v4/accounts/{account_id}/realtime/kit/{app_id}</c> (the SDKs) and
/// <c>/accounts/{account_id}/realtime/kit/{app_id}</c> (the reference docs).
/// </summary>
public static class ApiEndpoints
{
    public const long MaxRequestBodyBytes = 64 * 1024;

    public static readonly string[] BasePaths =
    [
        "/client/v4/accounts/{account_id}/realtime/kit/{app_id}",
        "/accounts/{account_id}/realtime/kit/{app_id}",
    ];

    public static IServiceCollection AddStagecastApi(this IServiceCollection services, int requestsPerSecond)
    {
        services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Stagecast API";
            document.Info.Description = "RealtimeKit-compatible livestreaming REST API. Every route also exists under /accounts/{account_id}/realtime/kit/{app_id}.";
            return Task.CompletedTask;
        }));
        services.AddSingleton(provider => new ApiRateLimiter(provider.GetRequiredService<TimeProvider>(), requestsPerSecond));
        return services;
    }

    public static WebApplication MapStagecastApi(this WebApplication app)
    {
        app.UseExceptionHandler(errors => errors.Run(WriteUnhandledAsync));
        app.MapOpenApi("/openapi/{documentName}.json");

        for (int i = 0; i < BasePaths.Length; i++)
        {
            var api = app.MapGroup(BasePaths[i])
                .AddEndpointFilter(LimitRateAsync)
                .AddEndpointFilter(ApiAuthentication.FilterAsync)
                .WithMetadata(
                    new RequestSizeLimitAttribute(MaxRequestBodyBytes),
                    new ProducesResponseTypeMetadata(StatusCodes.Status400BadRequest, typeof(ApiErrorResponse), ["application/json"]),
                    new ProducesResponseTypeMetadata(StatusCodes.Status401Unauthorized, typeof(ApiErrorResponse), ["application/json"]),
                    new ProducesResponseTypeMetadata(StatusCodes.Status404NotFound, typeof(ApiErrorResponse), ["application/json"]));
            if (i > 0)
            {
                api.ExcludeFromDescription(); // the same routes again; documented once
            }

            api.MapLivestreams();
            api.MapOutputs();
            api.MapAnalytics();
            app.MapFallback(BasePaths[i] + "/{**path}", (HttpContext context) =>
                ApiResults.Error(StatusCodes.Status404NotFound, $"no such endpoint: {context.Request.Method} {context.Request.Path}"))
                .ExcludeFromDescription();
        }

        return app;
    }

    /// <summary>Requests beyond the credential's rate get 429 with <c>Retry-After: 1</c>, before any other work.</summary>
    private static async ValueTask<object?> LimitRateAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        if (context.RequestServices.GetRequiredService<ApiRateLimiter>().TryAcquire(context.Request.Headers.Authorization.ToString()))
        {
            return await next(invocation).ConfigureAwait(false);
        }

        context.Response.Headers.RetryAfter = "1";
        return ApiResults.Error(StatusCodes.Status429TooManyRequests, "too many requests; retry after 1 second");
    }

    /// <summary>The last resort (the API filter answers bad input itself): a 500 in the envelope, logged by the middleware.</summary>
    private static async Task WriteUnhandledAsync(HttpContext context)
    {
        var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        (int status, string message) = error switch
        {
            BadHttpRequestException bad => (bad.StatusCode, $"BAD_REQUEST: {bad.Message}"),
            _ => (StatusCodes.Status500InternalServerError, "internal error; the server log has the details"),
        };
        context.Response.StatusCode = status;
        await ApiResults.WriteErrorAsync(context, status, message).ConfigureAwait(false);
    }
}
