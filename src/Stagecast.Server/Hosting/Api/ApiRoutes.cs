using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Hosting.Api;

/// <summary>
/// The REST API under both base paths RealtimeKit clients use: <c>/client/v4/accounts/{account_id}/realtime/kit</c>
/// (the SDKs) and <c>/accounts/{account_id}/realtime/kit</c> (the reference docs). App routes add <c>/{app_id}</c>.
/// Features map their route groups through Accounts' <c>MapAccountApi</c> and Apps' <c>MapAppApi</c>, which give every
/// group the API token policy and the tenant check, and through <see cref="Group"/> the body size limit, the rate
/// limit and the error envelope.
/// </summary>
public static class ApiRoutes
{
    public const long MaxRequestBodyBytes = 64 * 1024;

    public static readonly string[] AccountBasePaths = ["/client/v4/accounts/{account_id}/realtime/kit", "/accounts/{account_id}/realtime/kit"];

    public static IServiceCollection AddStagecastApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Stagecast API";
            document.Info.Description = "RealtimeKit-compatible livestreaming and meetings REST API. Every route also exists under /accounts/{account_id}/realtime/kit.";
            return Task.CompletedTask;
        }));
        services.AddExceptionHandler<ApiExceptionHandler>();
        int requestsPerSecond = configuration.GetValue("Stagecast:Api:RequestsPerSecond", 100);
        services.AddSingleton(provider => new ApiRateLimiter(provider.GetRequiredService<TimeProvider>(), requestsPerSecond));
        services.AddAuthorization();
        services.AddSingleton<AllowedMethods>();
        services.AddKeyedSingleton<FailedAttemptThrottle>(FailedAttemptThrottle.Tokens);
        return services;
    }

    /// <summary>The middleware of the API, in order: errors, routing, CORS (for endpoints that ask for a policy), rate limit, authentication, authorization.</summary>
    public static WebApplication UseStagecastApi(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // Reached only if no IExceptionHandler answered; ApiExceptionHandler answers everything.
            ExceptionHandler = context => ApiResults.WriteErrorAsync(context, StatusCodes.Status500InternalServerError, "internal error"),
        });
        app.UseErrorEnvelopes();
        app.UseRouting();
        app.UseCors();
        app.UseMiddleware<ApiRateLimitMiddleware>();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapOpenApi("/openapi/{documentName}.json");
        return app;
    }

    /// <summary>
    /// A group of API routes under <paramref name="prefix"/> (one of <see cref="AccountBasePaths"/> and what follows) with the
    /// body size limit, the rate limit, the error envelope and its answers in the OpenAPI document; the feature that
    /// maps it adds who may call it (its authorization and tenant check). Only <paramref name="documented"/> groups are
    /// in the document: the same routes under the second base path are not repeated.
    /// </summary>
    public static RouteGroupBuilder Group(WebApplication app, string prefix, bool documented)
    {
        var api = app.MapGroup(prefix)
            .WithMetadata(
                ApiEndpointMetadata.Instance,
                new RequestSizeLimitAttribute(MaxRequestBodyBytes),
                new ProducesResponseTypeMetadata(StatusCodes.Status400BadRequest, typeof(ApiErrorResponse), ["application/json"]),
                new ProducesResponseTypeMetadata(StatusCodes.Status401Unauthorized, typeof(ApiErrorResponse), ["application/json"]),
                new ProducesResponseTypeMetadata(StatusCodes.Status404NotFound, typeof(ApiErrorResponse), ["application/json"]));
        if (!documented)
        {
            api.ExcludeFromDescription(); // the same routes again; documented once
        }

        return api;
    }
}
