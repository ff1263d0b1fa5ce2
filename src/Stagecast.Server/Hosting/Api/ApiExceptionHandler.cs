using Microsoft.AspNetCore.Diagnostics;
using Stagecast.Streaming.Logging;

namespace Stagecast.Server.Hosting.Api;

/// <summary>
/// Every failure of an API request becomes the error envelope: <see cref="ApiException"/> with its status, a
/// <see cref="DomainException"/> with the status its kind names, a body
/// the server could not read (too large, broken) as 400/413, a write the disk had no room for as 507
/// (<see cref="StorageFull"/>, logged at most 20 times a minute), anything else as a logged 500 that reveals nothing.
/// </summary>
public sealed partial class ApiExceptionHandler(TimeProvider time, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    private readonly LogLimiter _storageFull = new(time);

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        (int status, string message) = exception switch
        {
            ApiException api => (api.Status, api.Message),
            DomainException domain => (domain.Code, domain.Message),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
                (StatusCodes.Status413PayloadTooLarge, $"request body larger than {ApiRoutes.MaxRequestBodyBytes} bytes"),
            BadHttpRequestException bad => (bad.StatusCode, $"BAD_REQUEST: {bad.Message}"),
            OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested => (499, "request aborted"),
            _ when StorageFull.Is(exception) => (StatusCodes.Status507InsufficientStorage, StorageFull.Message),
            _ => (StatusCodes.Status500InternalServerError, $"internal error (request {httpContext.TraceIdentifier}); the server log has the details"),
        };

        if (status == StatusCodes.Status500InternalServerError)
        {
            Log.Unhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path, httpContext.TraceIdentifier);
        }

        if (status == StatusCodes.Status507InsufficientStorage && _storageFull.TryLog(out long suppressed))
        {
            Log.StorageFull(logger, httpContext.Request.Method, httpContext.Request.Path, exception.Message, suppressed);
        }

        if (httpContext.RequestAborted.IsCancellationRequested)
        {
            return true;
        }

        if (status == StatusCodes.Status401Unauthorized)
        {
            httpContext.Response.Headers.WWWAuthenticate = "Bearer";
        }

        await ApiResults.WriteErrorAsync(httpContext, status, message).ConfigureAwait(false);
        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "Unhandled error answering {Method} {Path} (request {RequestId})")]
        public static partial void Unhandled(ILogger logger, Exception exception, string method, string path, string requestId);

        [LoggerMessage(2, LogLevel.Warning, "No room on the disk answering {Method} {Path}: {Reason} ({Suppressed} similar lines left out before this one)")]
        public static partial void StorageFull(ILogger logger, string method, string path, string reason, long suppressed);
    }
}
