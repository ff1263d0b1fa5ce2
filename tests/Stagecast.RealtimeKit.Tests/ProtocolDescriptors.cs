using System.Reflection;
using Google.Protobuf.Reflection;
using Stagecast.RealtimeKit.Protocol;

namespace Stagecast.RealtimeKit.Tests;

/// <summary>Every .proto file compiled into Stagecast.RealtimeKit, found through protoc's Reflection classes.</summary>
internal static class ProtocolDescriptors
{
    public static IReadOnlyList<FileDescriptor> Files { get; } = typeof(SocketMessage).Assembly.GetTypes()
        .Select(type => type.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static))
        .Where(property => property?.PropertyType == typeof(FileDescriptor))
        .Select(property => (FileDescriptor)property!.GetValue(null)!)
        .OrderBy(file => file.Name, StringComparer.Ordinal)
        .ToList();

    public static IEnumerable<MessageDescriptor> Messages => Files.SelectMany(file => file.MessageTypes);

    public static IEnumerable<EnumDescriptor> Enums => Files.SelectMany(file => file.EnumTypes);

    public static MessageDescriptor Message(string fullName) =>
        Messages.Single(message => message.FullName == fullName);
}
