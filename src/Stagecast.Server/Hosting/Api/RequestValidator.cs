using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Stagecast.Server.Hosting.Api;

/// <summary>
/// Validates request records by their DataAnnotations, naming fields as they appear in the JSON, so messages read
/// <c>BAD_REQUEST: "title" must be at most 256 characters</c> whatever the C# property is called.
/// </summary>
public static class RequestValidator
{
    public static void Validate(object value, JsonSerializerOptions options, string prefix = "")
    {
        foreach (var property in options.GetTypeInfo(value.GetType()).Properties)
        {
            if (property.Get is null || property.AttributeProvider is not PropertyInfo clr)
            {
                continue;
            }

            object? fieldValue = property.Get(value);
            string name = prefix + property.Name;
            foreach (var attribute in clr.GetCustomAttributes<ValidationAttribute>())
            {
                if (!attribute.IsValid(fieldValue))
                {
                    throw ApiException.BadRequest(Message(attribute, name));
                }
            }

            // Nested request records (not documents kept as JSON) are validated in turn, named by their path.
            if (fieldValue is not null && fieldValue.GetType().Assembly == typeof(RequestValidator).Assembly)
            {
                Validate(fieldValue, options, name + ".");
            }
        }

        if (value is IValidatableObject validatable
            && validatable.Validate(new ValidationContext(value, prefix.Length > 0 ? prefix.TrimEnd('.') : "request body", serviceProvider: null, items: null)).FirstOrDefault() is { ErrorMessage: { } error })
        {
            throw ApiException.BadRequest(error);
        }
    }

    /// <summary>For a JSON value of the wrong type at <paramref name="path"/> ("$.video_config.width"): what was expected there.</summary>
    public static string DescribeTypeMismatch(JsonSerializerOptions options, Type root, string? path)
    {
        var type = root;
        string name = "request body";
        foreach (string segment in Segments(path))
        {
            if (segment.StartsWith('['))
            {
                type = options.GetTypeInfo(type).ElementType ?? typeof(object);
                name += segment;
                continue;
            }

            var property = options.GetTypeInfo(type).Properties.FirstOrDefault(p => p.Name == segment);
            type = property?.PropertyType ?? typeof(object);
            name = segment;
        }

        return $"\"{name}\" must be {Expected(type)}";
    }

    private static string Message(ValidationAttribute attribute, string name) => attribute switch
    {
        RequiredAttribute => $"\"{name}\" is required",
        StringLengthAttribute { MinimumLength: > 0 } length => $"\"{name}\" must be {length.MinimumLength} to {length.MaximumLength} characters",
        StringLengthAttribute length => $"\"{name}\" must be at most {length.MaximumLength} characters",
        RangeAttribute range => $"\"{name}\" must be from {range.Minimum} to {range.Maximum}",
        RegularExpressionAttribute regex => $"\"{name}\" must match {regex.Pattern}",
        AllowedValuesAttribute allowed => $"\"{name}\" must be one of {string.Join(", ", allowed.Values.OfType<object>())}",
        _ => attribute.FormatErrorMessage(name),
    };

    private static IEnumerable<string> Segments(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            yield break;
        }

        int i = 1; // after "$"
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                int end = path.IndexOfAny(['.', '['], i + 1);
                end = end < 0 ? path.Length : end;
                yield return path[(i + 1)..end];
                i = end;
            }
            else if (path[i] == '[')
            {
                int end = path.IndexOf(']', i);
                end = end < 0 ? path.Length - 1 : end;
                string inside = path[(i + 1)..end];
                // ['name'] is how the path quotes a property name with unusual characters.
                yield return inside.StartsWith('\'') ? inside.Trim('\'') : $"[{inside}]";
                i = end + 1;
            }
            else
            {
                i++;
            }
        }
    }

    private static string Expected(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            return "a string";
        }

        if (type == typeof(bool))
        {
            return "true or false";
        }

        if (type == typeof(int) || type == typeof(long) || type == typeof(short))
        {
            return "an integer";
        }

        if (type == typeof(double) || type == typeof(float) || type == typeof(decimal))
        {
            return "a number";
        }

        if (type == typeof(JsonObject))
        {
            return "an object";
        }

        if (type.IsEnum)
        {
            return $"one of {string.Join(", ", Enum.GetNames(type))}";
        }

        return type != typeof(object) && typeof(IEnumerable).IsAssignableFrom(type) ? "an array" : "an object";
    }
}
