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
        if (IsBlank(bytes))
        {
            bytes = OptionalBody ? "{}"u8 : throw ApiException.BadRequest("a JSON object body is required");
        }

        CheckSyntax(bytes);
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

    /// <summary>
    /// One pass of the reader: a JSON object and nothing after it, whose strings and names are text: valid UTF-8,
    /// and no lone surrogate escape ("\ud800"), which the serializer would let through to fail at the database.
    /// </summary>
    private static void CheckSyntax(ReadOnlySpan<byte> bytes)
    {
        var reader = new Utf8JsonReader(bytes);
        try
        {
            if (reader.Read() && reader.TokenType != JsonTokenType.StartObject)
            {
                throw ApiException.BadRequest("request body must be a JSON object");
            }

            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && !IsText(ref reader))
                {
                    throw ApiException.BadRequest($"request body holds a string that is not valid Unicode text (at byte {reader.TokenStartIndex})");
                }
            }
        }
        catch (JsonException)
        {
            throw ApiException.BadRequest("request body is not valid JSON");
        }
    }

    private static bool IsText(ref Utf8JsonReader reader)
    {
        string value;
        try
        {
            value = reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            return false; // invalid UTF-8
        }

        for (int i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsBlank(ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
        {
            if (b is not ((byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t'))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>A request record whose fields are all optional: an empty body is accepted as <c>{}</c>.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class OptionalBodyAttribute : Attribute;
