using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Stagecast.Server.Hosting.Api;

/// <summary>
/// REST JSON: snake_case names, nulls written, numbers strict, times as ISO-8601 UTC with milliseconds, strings escaped
/// only where JSON needs it; the types come from <see cref="ApiJsonContext"/> and the contexts the features add (no
/// reflection, as in the Native AOT release).
/// </summary>
public static class ApiJson
{
    /// <summary>The error envelope, for answers written outside an endpoint (the HTTP pipeline's options are the same).</summary>
    public static JsonTypeInfo<ApiErrorResponse> ErrorEnvelope { get; } = ErrorEnvelopeInfo();

    public static void Configure(JsonSerializerOptions options)
    {
        // A quote as \" and a letter as itself, where the default encoder writes \u0022 and \u00E9 (valid, unreadable in a
        // terminal). The HTML-sensitive characters it also leaves alone are harmless here: every answer is application/json.
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.NumberHandling = JsonNumberHandling.Strict; // "60" is not a number (the web defaults would accept it)
        options.Converters.Add(new UtcTimeConverter());
        options.TypeInfoResolverChain.Clear();
        options.TypeInfoResolverChain.Add(ApiJsonContext.Default);
    }

    /// <summary>
    /// A feature's requests and answers (a source-generated context, with or without options of its own: the API's
    /// options above apply), for its endpoints and its other readers of request bodies.
    /// </summary>
    public static IServiceCollection AddApiJson(this IServiceCollection services, IJsonTypeInfoResolver types) =>
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Add(types));

    private static JsonTypeInfo<ApiErrorResponse> ErrorEnvelopeInfo()
    {
        var options = new JsonSerializerOptions();
        Configure(options);
        return (JsonTypeInfo<ApiErrorResponse>)options.GetTypeInfo(typeof(ApiErrorResponse));
    }

    public static string Format(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Writes times as ISO-8601 UTC with milliseconds.</summary>
    public sealed class UtcTimeConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(Format(value));
    }
}
