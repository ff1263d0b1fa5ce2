using Google.Protobuf;
using Stagecast.RealtimeKit.Protocol;
using Stagecast.Testing;

namespace Stagecast.RealtimeKit.Tests;

public class MessageRoundTripTests
{
    public static TheoryData<string> MessageNames =>
        new(ProtocolDescriptors.Messages.Select(message => message.FullName));

    [Fact]
    public void Every_proto_file_is_compiled_in()
    {
        string protos = Path.Combine(Browser.RepositoryRoot(), "src", "Stagecast.RealtimeKit", "Protos");
        var onDisk = Directory.GetFiles(protos, "*.proto", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(protos, path).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);

        Assert.Equal(onDisk, ProtocolDescriptors.Files.Select(file => file.Name));
    }

    [Theory]
    [MemberData(nameof(MessageNames))]
    public void Every_field_survives_a_push_and_a_read(string name)
    {
        var descriptor = ProtocolDescriptors.Message(name);
        var message = MessageFiller.Filled(descriptor);

        var read = SocketFrameReader.Read(SocketFrameWriter.Push(RealtimeKitEvents.Media.Consume, message));
        var back = descriptor.Parser.ParseFrom(read.Payload);

        Assert.Equal(message, back);
        Assert.Equal(ExpectedFieldNumbers(descriptor), FieldNumbersOnTheWire(message.ToByteArray()));
    }

    [Fact]
    public void A_socket_message_keeps_an_event_above_2_to_the_31()
    {
        var message = new SocketMessage { Event = uint.MaxValue, Id = "x" };

        Assert.Equal(message, SocketFrameReader.Read(message.ToByteArray()));
    }

    // All fields but the members of a oneof other than the one set last.
    private static int[] ExpectedFieldNumbers(Google.Protobuf.Reflection.MessageDescriptor descriptor) =>
        descriptor.Fields.InFieldNumberOrder()
            .Where(field => field.RealContainingOneof is null || field == field.RealContainingOneof.Fields[^1])
            .Select(field => field.FieldNumber)
            .ToArray();

    private static int[] FieldNumbersOnTheWire(byte[] bytes)
    {
        var seen = new SortedSet<int>();
        var input = new CodedInputStream(bytes);
        for (uint tag = input.ReadTag(); tag != 0; tag = input.ReadTag())
        {
            seen.Add(WireFormat.GetTagFieldNumber(tag));
            input.SkipLastField();
        }

        return seen.ToArray();
    }
}
