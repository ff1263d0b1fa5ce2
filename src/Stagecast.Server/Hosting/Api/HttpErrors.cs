using Microsoft.AspNetCore.Routing.Template;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Stagecast.Server.Hosting.Api;

/// <summary>
/// Every error the server answers carries the JSON envelope, whoever produces it: the API, routing (404, 405 with
/// <c>Allow</c>), the request-size limits (414, 431, 413) or a handler that set only a status code. Kestrel itself
/// rejects only what it cannot parse at all: its size limits are set above ours so that oversized request lines and
/// headers reach this code and get the envelope; what it refuses before any request exists gets the envelope from
/// <see cref="KestrelRejections"/>.
/// </summary>
public static class HttpErrors
{
    public const int MaxRequestLineBytes = 8 * 1024;
    public const int MaxRequestHeadersBytes = 32 * 1024;

    /// <summary>The message for a request line over <see cref="MaxRequestLineBytes"/>, whoever refuses it.</summary>
    public static readonly string RequestLineTooLong = $"request line longer than {MaxRequestLineBytes} bytes";

    /// <summary>The message for headers over <see cref="MaxRequestHeadersBytes"/>, whoever refuses them.</summary>
    public static readonly string RequestHeadersTooLarge = $"request headers larger than {MaxRequestHeadersBytes} bytes";

    public static void ConfigureLimits(KestrelServerOptions kestrel, HttpConnectionOptions options)
    {
        kestrel.Limits.MaxRequestLineSize = MaxRequestLineBytes * 2;
        kestrel.Limits.MaxRequestHeadersTotalSize = MaxRequestHeadersBytes * 2;
        // A client must send its request line and headers within a deadline (10 s) and a body at 240 bytes/s at
        // least (after 5 s): trickling bytes does not hold a connection open.
        kestrel.Limits.RequestHeadersTimeout = options.RequestHeadersTimeout;
        kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(240, TimeSpan.FromSeconds(5));
    }

    public static WebApplication UseErrorEnvelopes(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            var request = context.Request;
            long line = request.Method.Length + request.Path.Value!.Length + request.QueryString.Value!.Length + 10;
            if (line > MaxRequestLineBytes)
            {
                return ApiResults.WriteErrorAsync(context, StatusCodes.Status414UriTooLong, RequestLineTooLong);
            }

            long headers = 0;
            foreach (var (name, values) in request.Headers)
            {
                headers += name.Length + 4 + values.Sum(v => v?.Length ?? 0);
            }

            return headers > MaxRequestHeadersBytes
                ? ApiResults.WriteErrorAsync(context, StatusCodes.Status431RequestHeaderFieldsTooLarge, RequestHeadersTooLarge)
                : next(context);
        });

        // Any 4xx or 5xx answered without a body (routing's 404, a bare status code) gets the envelope.
        app.UseStatusCodePages(context =>
        {
            var http = context.HttpContext;
            int status = http.Response.StatusCode;
            string message = status switch
            {
                StatusCodes.Status404NotFound => $"not found: {http.Request.Method} {http.Request.Path}",
                StatusCodes.Status405MethodNotAllowed => $"method {http.Request.Method} not allowed on {http.Request.Path}",
                StatusCodes.Status413PayloadTooLarge => "request body too large",
                _ => ReasonPhrase(status),
            };
            return ApiResults.WriteErrorAsync(http, status, message);
        });
        return app;
    }

    /// <summary>The API's catch-all: 405 with <c>Allow</c> when the path exists under other methods, else 404.</summary>
    public static IResult NotFoundOrMethodNotAllowed(HttpContext context)
    {
        var allowed = context.RequestServices.GetRequiredService<AllowedMethods>().For(context.Request.Path);
        if (allowed.Count == 0)
        {
            return ApiResults.Error(StatusCodes.Status404NotFound, $"no such endpoint: {context.Request.Method} {context.Request.Path}");
        }

        context.Response.Headers.Allow = string.Join(", ", allowed);
        return ApiResults.Error(StatusCodes.Status405MethodNotAllowed, $"method {context.Request.Method} not allowed on {context.Request.Path}; allowed: {string.Join(", ", allowed)}");
    }

    /// <summary>The lower-case reason phrase, the message for a status nothing more specific describes.</summary>
    internal static string ReasonPhrase(int status) => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase.ToLowerInvariant() : $"HTTP {status}";
}

/// <summary>Which methods the routes matching a path accept (built once from the endpoint table).</summary>
public sealed class AllowedMethods(EndpointDataSource endpoints)
{
    private (TemplateMatcher Matcher, IReadOnlyList<string> Methods)[]? _routes;

    public IReadOnlyList<string> For(PathString path)
    {
        _routes ??= [.. endpoints.Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>() is { HttpMethods.Count: > 0 } && !e.RoutePattern.RawText!.Contains("{**", StringComparison.Ordinal))
            .Select(e => (new TemplateMatcher(new RouteTemplate(e.RoutePattern), new RouteValueDictionary()), e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods))];
        return [.. _routes.Where(r => r.Matcher.TryMatch(path, new RouteValueDictionary())).SelectMany(r => r.Methods).Distinct().Order()];
    }
}
