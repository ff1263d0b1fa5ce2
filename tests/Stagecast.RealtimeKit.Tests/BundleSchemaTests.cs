using System.Text.Json;
using Google.Protobuf.Reflection;

namespace Stagecast.RealtimeKit.Tests;

/// <summary>
/// Our .proto files against the schema of RealtimeKit's shipped web SDK bundles: every message we define exists there
/// under the same name with the same fields (numbers, names, types, repeated, packed, proto3 optional, oneof), and
/// every enum with the same values. A message of ours that drifts from the SDK fails here, not in a browser.
/// </summary>
public class BundleSchemaTests
{
    [Theory]
    [InlineData("@cloudflare/realtimekit", "2.0.2")]
    [InlineData("realtimekit-1.5", "1.5.1")]
    public async Task Our_messages_are_the_bundles(string package, string version)
    {
        var bundle = await BundleSchema.LoadAsync(package);
        Assert.Equal(version, bundle.Version);

        var mismatches = ProtocolDescriptors.Messages.SelectMany(message => Compare(message, bundle))
            .Concat(ProtocolDescriptors.Enums.SelectMany(e => Compare(e, bundle)))
            .ToList();

        Assert.True(mismatches.Count == 0, $"{package} {version}:\n" + string.Join("\n", mismatches));
    }

    private static IEnumerable<string> Compare(MessageDescriptor message, BundleSchema bundle)
    {
        if (!bundle.TryGetFields(message.FullName, out var theirs))
        {
            yield return $"{message.FullName}: not in the bundle";
            yield break;
        }

        var ours = message.Fields.InFieldNumberOrder().ToDictionary(field => field.FieldNumber);
        foreach (int number in theirs.Keys.Except(ours.Keys))
        {
            yield return $"{message.FullName}: field {number} ({theirs[number].GetProperty("name")}) is missing";
        }

        foreach (var (number, field) in ours)
        {
            if (!theirs.TryGetValue(number, out var their))
            {
                yield return $"{message.FullName}: field {number} ({field.Name}) is not in the bundle";
                continue;
            }

            string expected = Describe(field);
            string actual = Describe(their);
            if (expected != actual)
            {
                yield return $"{message.FullName} field {number}: ours {expected}, the bundle's {actual}";
            }
        }
    }

    private static IEnumerable<string> Compare(EnumDescriptor e, BundleSchema bundle)
    {
        var theirs = bundle.EnumValues(e.FullName);
        if (theirs is null)
        {
            yield return $"{e.FullName}: no field of the bundle uses it";
            yield break;
        }

        var ours = e.Values.ToDictionary(value => value.Name, value => value.Number);
        if (!ours.OrderBy(v => v.Value).SequenceEqual(theirs.OrderBy(v => v.Value)))
        {
            yield return $"{e.FullName}: ours {Join(ours)}, the bundle's {Join(theirs)}";
        }
    }

    // One line naming everything the wire depends on, written the same way for our field and the bundle's.
    private static string Describe(FieldDescriptor field)
    {
        string type = field.IsMap
            ? $"map<{TypeOf(field.MessageType.FindFieldByNumber(1))}, {TypeOf(field.MessageType.FindFieldByNumber(2))}>"
            : TypeOf(field);
        string packed = field.IsRepeated && IsPackable(field) ? (field.IsPacked ? " packed" : " unpacked") : "";
        bool proto3Optional = field.ContainingOneof is not null && field.RealContainingOneof is null;
        return $"{field.Name} {type}{(field.IsRepeated && !field.IsMap ? " repeated" : "")}{packed}"
            + $"{(proto3Optional ? " optional" : "")}"
            + $"{(field.RealContainingOneof is { } oneof ? " oneof " + oneof.Name : "")}";
    }

    private static string Describe(JsonElement field)
    {
        string kind = field.GetProperty("kind").GetString()!;
        string type = kind == "map"
            ? $"map<scalar {field.GetProperty("K").GetInt32()}, {DescribeValue(field.GetProperty("V"))}>"
            : DescribeValue(field);
        int repeat = field.GetProperty("repeat").GetInt32();
        // protobuf-ts' RepeatType: 1 packed, 2 unpacked; it marks repeated messages packed, which only scalars can be.
        bool packable = kind == "enum" || (kind == "scalar" && field.GetProperty("T").GetInt32() is not (9 or 12));
        string packed = repeat != 0 && packable ? (repeat == 1 ? " packed" : " unpacked") : "";
        return $"{field.GetProperty("name").GetString()} {type}{(repeat != 0 ? " repeated" : "")}{packed}"
            + $"{(field.GetProperty("opt").GetBoolean() ? " optional" : "")}"
            + $"{(field.TryGetProperty("oneof", out var oneof) ? " oneof " + oneof.GetString() : "")}";
    }

    // A field's type, or a map's value type: {kind, T}.
    private static string DescribeValue(JsonElement value) => value.GetProperty("kind").GetString() == "scalar"
        ? $"scalar {value.GetProperty("T").GetInt32()}"
        : $"{value.GetProperty("kind").GetString()} {value.GetProperty("T").GetString()}";

    private static string TypeOf(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.Message => $"message {field.MessageType.FullName}",
        FieldType.Enum => $"enum {field.EnumType.FullName}",
        _ => ScalarType(field),
    };

    // protobuf-ts numbers its ScalarType as descriptor.proto numbers FieldDescriptorProto.Type.
    private static string ScalarType(FieldDescriptor field) => $"scalar {(int)field.ToProto().Type}";

    private static bool IsPackable(FieldDescriptor field) =>
        field.FieldType is not (FieldType.String or FieldType.Bytes or FieldType.Message or FieldType.Group);

    private static string Join(IEnumerable<KeyValuePair<string, int>> values) =>
        string.Join(", ", values.OrderBy(v => v.Value).Select(v => $"{v.Key}={v.Value}"));
}
