using System.Text.Json;

namespace Stagecast.Server.Hosting.Api;

/// <summary>
/// One pass of the reader over a request's JSON before it is deserialized: a JSON object and nothing after it, whose
/// strings and names are text (valid UTF-8, no lone surrogate escape like "\ud800", which the serializer would let
/// through to fail at the database). The same pass reads a message's envelope (<c>type</c>, <c>id</c>) for the
/// realtime channel, so a message is read once and deserialized once.
/// </summary>
public static class JsonSyntax
{
    public static void CheckObject(ReadOnlySpan<byte> bytes) => CheckEnvelope(bytes);

    /// <summary>Checks the syntax; returns the object's top-level string <c>type</c> and its <c>id</c> (a string or number, as text).</summary>
    public static (string? Type, string? Id) CheckEnvelope(ReadOnlySpan<byte> bytes)
    {
        var reader = new Utf8JsonReader(bytes);
        string? type = null;
        string? id = null;
        try
        {
            if (reader.Read() && reader.TokenType != JsonTokenType.StartObject)
            {
                throw ApiException.BadRequest("request body must be a JSON object");
            }

            while (reader.Read())
            {
                CheckText(ref reader);

                // A top-level "type" or "id" is read where it stands; an object or array there is checked as the loop goes
                // on, as any other (skipped unread, its strings would pass to whatever takes the text as it is: an app
                // message's payload, passed on to every peer).
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1)
                {
                    bool isType = reader.ValueTextEquals("type"u8);
                    bool isId = !isType && reader.ValueTextEquals("id"u8);
                    if ((isType || isId) && reader.Read() && reader.TokenType is JsonTokenType.String or JsonTokenType.Number)
                    {
                        CheckText(ref reader);
                        if (isType && reader.TokenType == JsonTokenType.String)
                        {
                            type = reader.GetString();
                        }
                        else if (isId)
                        {
                            id = reader.TokenType == JsonTokenType.String ? reader.GetString() : System.Text.Encoding.UTF8.GetString(reader.ValueSpan);
                        }
                    }
                }
            }
        }
        catch (JsonException)
        {
            throw ApiException.BadRequest("request body is not valid JSON");
        }

        return (type, id);
    }

    /// <summary>
    /// Whether <paramref name="bytes"/> are one JSON value and nothing after it. The reader takes only valid UTF-8 outside
    /// strings, and does not look inside them: a caller that needs text checks the bytes whole (<c>Utf8.IsValid</c>).
    /// </summary>
    public static bool IsValue(ReadOnlySpan<byte> bytes)
    {
        try
        {
            var reader = new Utf8JsonReader(bytes);
            return reader.Read() && reader.TrySkip() && !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public static bool IsBlank(ReadOnlySpan<byte> bytes)
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

    /// <summary>Refuses a string or property name that is not text.</summary>
    private static void CheckText(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && !IsText(ref reader))
        {
            throw ApiException.BadRequest($"request body holds a string that is not valid Unicode text (at byte {reader.TokenStartIndex})");
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
}
