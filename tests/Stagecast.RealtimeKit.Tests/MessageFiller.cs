using System.Collections;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Stagecast.RealtimeKit.Tests;

/// <summary>
/// Builds a message with every field set to a value unlike its default: repeated fields and maps with two entries,
/// nested messages filled in turn, numbers that need every byte of their varint.
/// </summary>
internal static class MessageFiller
{
    private const int MaxDepth = 4;

    public static IMessage Filled(MessageDescriptor descriptor, int depth = 0)
    {
        var message = descriptor.Parser.ParseFrom(ByteString.Empty);
        foreach (var field in descriptor.Fields.InFieldNumberOrder())
        {
            if (field.FieldType == FieldType.Message && !field.IsMap && depth == MaxDepth)
            {
                continue;
            }

            if (field.IsMap)
            {
                var map = (IDictionary)field.Accessor.GetValue(message);
                var key = field.MessageType.FindFieldByNumber(1);
                var value = field.MessageType.FindFieldByNumber(2);
                map.Add(ValueOf(key, depth, 1), ValueOf(value, depth, 1));
                map.Add(ValueOf(key, depth, 2), ValueOf(value, depth, 2));
            }
            else if (field.IsRepeated)
            {
                var list = (IList)field.Accessor.GetValue(message);
                list.Add(ValueOf(field, depth, 1));
                list.Add(ValueOf(field, depth, 2));
            }
            else
            {
                field.Accessor.SetValue(message, ValueOf(field, depth, 1));
            }
        }

        return message;
    }

    private static object ValueOf(FieldDescriptor field, int depth, int index)
    {
        int n = field.FieldNumber + index;
        return field.FieldType switch
        {
            FieldType.String => $"{field.Name}-{index}-\u00e9\u6f22",
            FieldType.Bytes => ByteString.CopyFrom(Encoding.UTF8.GetBytes($"{{\"{field.Name}\":{index}}}")),
            FieldType.Bool => true,
            FieldType.Int32 => -1000 * n,
            FieldType.UInt32 => 0x80000000u + (uint)n,
            FieldType.UInt64 => ulong.MaxValue - (ulong)n,
            FieldType.Float => 0.5f + n,
            FieldType.Enum => Enum.ToObject(field.EnumType.ClrType, field.EnumType.Values[^1].Number),
            FieldType.Message => Filled(field.MessageType, depth + 1),
            _ => throw new NotSupportedException($"{field.FullName}: add {field.FieldType} to {nameof(MessageFiller)}"),
        };
    }
}
