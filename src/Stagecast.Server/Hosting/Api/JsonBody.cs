using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;

namespace Stagecast.Server.Hosting.Api;

/// <summary>
/// A typed JSON request body. It is read whatever Content-Type the client sent (curl -d sends form encoding, some
/// clients send none) because routing on Content-Type would turn a missing header into a 415; it is deserialized
/// strictly into <typeparamref name="T"/> and validated with its DataAnnotations. An empty body is a 400 unless the
/// record is marked <see cref="OptionalBodyAttribute"/>, when it reads as <c>{}</c>. Every problem is a 400 that names the field.
/// </summary>
public sealed class JsonBody<T>(T value)
    where T : class, new()
{
    private static readonly bool OptionalBody = typeof(T).IsDefined(typeof(OptionalBodyAttribute), inherit: false);

    public T Value { get; } = value;

    /// <summary>Minimal API binding hook.</summary>
    public static async ValueTask<JsonBody<T>> BindAsync(HttpContext context)
    {
        var options = context.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        return new JsonBody<T>(Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), options));
    }

    /// <summary>Parses and validates a body; also used for JSON that arrives another way (the realtime channel).</summary>
    public static T Parse(ReadOnlySpan<byte> bytes, JsonSerializerOptions options)
    {
        if (JsonSyntax.IsBlank(bytes))
        {
            bytes = OptionalBody ? "{}"u8 : throw ApiException.BadRequest("a JSON object body is required");
        }

        JsonSyntax.CheckObject(bytes);
        return ParseChecked(bytes, options);
    }

    /// <summary>Deserializes and validates JSON whose syntax <see cref="JsonSyntax"/> has checked already.</summary>
    public static T ParseChecked(ReadOnlySpan<byte> bytes, JsonSerializerOptions options)
    {
        T value;
        try
        {
            value = JsonSerializer.Deserialize(bytes, (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T))) ?? new T();
        }
        catch (JsonException ex)
        {
            throw ApiException.BadRequest(RequestValidator.DescribeTypeMismatch(options, typeof(T), ex.Path));
        }
        RequestValidator.Validate(value, options);
        return value;
    }
}

/// <summary>A request record whose fields are all optional: an empty body is accepted as <c>{}</c>.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class OptionalBodyAttribute : Attribute;
