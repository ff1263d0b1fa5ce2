using System.Text.Json;

namespace Stagecast.Server.Api;

/// <summary>Reads JSON request bodies strictly: whatever is wrong comes back as a 400 that names the field.</summary>
public static class ApiBody
{
    /// <summary>The body as a JSON object; null for an empty body unless <paramref name="required"/>.</summary>
    public static async Task<JsonDocument?> ReadObjectAsync(HttpRequest request, bool required)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted).ConfigureAwait(false);
        byte[] bytes = buffer.ToArray();
        if (bytes.All(b => b is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t'))
        {
            return required ? throw ApiException.BadRequest("a JSON object body is required") : null;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException)
        {
            throw ApiException.BadRequest("request body is not valid JSON");
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw ApiException.BadRequest("request body must be a JSON object");
        }

        return document;
    }

    public static string RequiredString(JsonElement root, string name, int maxLength) =>
        OptionalString(root, name, maxLength) ?? throw ApiException.BadRequest($"\"{name}\" is required");

    public static string? OptionalString(JsonElement root, string name, int maxLength)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw ApiException.BadRequest($"\"{name}\" must be a string");
        }

        string text = value.GetString()!;
        return text.Length <= maxLength ? text : throw ApiException.BadRequest($"\"{name}\" must be at most {maxLength} characters");
    }

    public static bool? OptionalBoolean(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw ApiException.BadRequest($"\"{name}\" must be true or false"),
        };
    }
}
