using System.Threading.RateLimiting;
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
    public const string RateLimitPolicy = "api";
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
        services.AddRateLimiter(o =>
        {
            o.AddPolicy(RateLimitPolicy, context => RateLimitPartition.GetTokenBucketLimiter(
                context.Request.Headers.Authorization.ToString(),
                _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = requestsPerSecond * 2,
                    TokensPerPeriod = requestsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                }));
            o.OnRejected = async (rejected, _) =>
            {
                rejected.HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                rejected.HttpContext.Response.Headers.RetryAfter = "1";
                await ApiResults.WriteErrorAsync(rejected.HttpContext, StatusCodes.Status429TooManyRequests, "too many requests; retry after 1 second").ConfigureAwait(false);
            };
        });
        return services;
    }

    public static WebApplication MapStagecastApi(this WebApplication app)
    {
        app.UseExceptionHandler(errors => errors.Run(WriteUnhandledAsync));
        app.UseRateLimiter();
        app.MapOpenApi("/openapi/{documentName}.json");

        for (int i = 0; i < BasePaths.Length; i++)
        {
            var api = app.MapGroup(BasePaths[i])
                .AddEndpointFilter(ApiAuthentication.FilterAsync)
                .RequireRateLimiting(RateLimitPolicy)
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
