using System.Buffers;
using Stagecast.Media.Amf0;
using Stagecast.Rtmp.Chunking;
using Stagecast.Rtmp.Messages;
using Stagecast.Rtmp.Messages.Commands;
using Stagecast.Rtmp.Messages.Control;
using Stagecast.Testing;

namespace Stagecast.Rtmp.Tests;

/// <summary>Each typed message on bytes: the payload the RTMP spec lays out, and read back into the same type.</summary>
public sealed class MessageTests
{
    public static TheoryData<IRtmpMessage, string> ControlMessages => new()
    {
        { new SetChunkSize(4096), "00001000" },
        { new Abort(6), "00000006" },
        { new Acknowledgement(2_500_001), "002625a1" },
        { new WindowAcknowledgementSize(2_500_000), "002625a0" },
        { new SetPeerBandwidth(2_500_000, SetPeerBandwidth.Dynamic), "002625a002" },
        { new StreamBegin(1), "000000000001" },
        { new PingRequest(0xCAFE), "00060000cafe" },
        { new PingResponse(0xCAFE), "00070000cafe" },
    };

    [Theory]
    [MemberData(nameof(ControlMessages))]
    public void ControlMessagesHaveTheSpecLayoutAndReadBack(IRtmpMessage message, string payload)
    {
        var (type, chunkStream, streamId, bytes) = Send(message);

        Assert.Equal(payload, Hex.Of(bytes));
        Assert.Equal((message.Type, ChunkStreams.ProtocolControl, 0u), (type, chunkStream, streamId));
        Assert.Equal(message, Read(type, bytes));
    }

    [Fact]
    public void AShortControlMessageIsAProtocolError()
    {
        Assert.Throws<RtmpProtocolException>(() => SetChunkSize.Read([0, 0, 16]));
        Assert.Throws<RtmpProtocolException>(() => SetPeerBandwidth.Read([0, 0, 16, 0]));
        Assert.Throws<RtmpProtocolException>(() => UserControl.Read([0, 6, 0, 0]));
        Assert.Null(UserControl.Read(Hex.Parse("0003000000010000012c"))); // SetBufferLength: nothing here acts on it
    }

    public static TheoryData<RtmpCommand> Commands => new()
    {
        new ConnectCommand(1, "live", "rtmp://host/live", "FMLE/3.0", 0),
        new CreateStreamCommand(4),
        new PublishCommand(5, "key?token=1", "live"),
        new ReleaseStreamCommand(2, "key"),
        new FCPublishCommand(3, "key"),
        new FCUnpublishCommand(6, "key"),
        new GetStreamLengthCommand(7, "key"),
        new DeleteStreamCommand(8, 1),
        new CloseStreamCommand(9),
        new PlayCommand(10, "key"),
        new ErrorCommand(2, StatusInfo.Error(StatusCodes.ConnectRejected, "unknown application")),
        new OnStatusCommand(StatusInfo.Status(StatusCodes.PublishStart, "Publishing started.")),
        new UnknownCommand("checkBandwidth", 11),
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void CommandsReadBackAsTheirOwnType(RtmpCommand command)
    {
        var (type, _, _, bytes) = Send(command);

        Assert.Equal(RtmpMessageType.CommandAmf0, type);
        Assert.Equal(command, Read(type, bytes));
        var amf = new Amf0Reader(bytes);
        Assert.Equal(command.Name, amf.ReadString()); // the name on the wire
        Assert.Equal(command.TransactionId, amf.ReadNumber());
    }

    [Fact]
    public void AConnectAsObsSendsItIsRead()
    {
        var payload = new ArrayBufferWriter<byte>();
        var amf = new Amf0Writer(payload);
        amf.WriteString("connect");
        amf.WriteNumber(1);
        amf.WriteObject(new AmfObject
        {
            { "app", "live" }, { "type", "nonprivate" }, { "flashVer", "FMLE/3.0 (compatible; FMSc/1.0)" }, { "swfUrl", "rtmp://host/live" },
            { "tcUrl", "rtmp://host/live" }, { "fpad", false }, { "capabilities", 239.0 }, { "objectEncoding", 3.0 },
        });

        var connect = Assert.IsType<ConnectCommand>(RtmpCommand.Read(payload.WrittenSpan));

        Assert.Equal(new ConnectCommand(1, "live", "rtmp://host/live", "FMLE/3.0 (compatible; FMSc/1.0)", 3), connect);
    }

    [Fact]
    public void ResultsCarryTheirValuesAndPlay2ItsStreamName()
    {
        var result = Assert.IsType<ResultCommand>(Read(RtmpMessageType.CommandAmf0, Send(new ResultCommand(4, null, [1.0])).Payload));
        Assert.Equal((4.0, 1.0), (result.TransactionId, result.StreamId));
        var empty = Assert.IsType<ResultCommand>(Read(RtmpMessageType.CommandAmf0, Send(ResultCommand.Empty(2)).Payload));
        Assert.Null(empty.StreamId);

        var payload = new ArrayBufferWriter<byte>();
        var amf = new Amf0Writer(payload);
        amf.WriteString("play2");
        amf.WriteNumber(0);
        amf.WriteNull();
        amf.WriteObject(new AmfObject { { "streamName", "key" }, { "start", 0.0 } });
        Assert.Equal(new PlayCommand(0, "key"), RtmpCommand.Read(payload.WrittenSpan));
    }

    [Fact]
    public void StatusAndPublishGoOnTheMessageStreamTheyAreAbout()
    {
        Assert.Equal(ChunkStreams.Data, Send(new OnStatusCommand(StatusInfo.Status(StatusCodes.PublishStart, "started")), 1).ChunkStream);
        Assert.Equal(1u, Send(new PublishCommand(0, "key", "live"), 1).StreamId);
        Assert.Equal(ChunkStreams.Command, Send(new CreateStreamCommand(4)).ChunkStream);

        var (type, chunkStream, _, bytes) = Send(new SetDataFrame(new AmfObject(isEcmaArray: true) { { "width", 320.0 } }), 1);
        Assert.Equal((RtmpMessageType.DataAmf0, ChunkStreams.Data), (type, chunkStream));
        var data = new Amf0Reader(bytes);
        Assert.Equal(["@setDataFrame", "onMetaData"], new[] { data.ReadString(), data.ReadString() });
        Assert.Equal(320.0, Assert.IsType<AmfObject>(data.ReadValue()).GetNumber("width"));
    }

    private static IRtmpMessage? Read(RtmpMessageType type, byte[] payload) =>
        RtmpMessages.Read(new RtmpMessage(type, 0, 0, payload, payload.Length));

    /// <summary>Writes the message through chunks and reads the chunks back: its type, chunk stream, message stream and payload.</summary>
    private static (RtmpMessageType Type, int ChunkStream, uint StreamId, byte[] Payload) Send<T>(T message, uint messageStreamId = 0)
        where T : IRtmpMessage
    {
        var output = new ArrayBufferWriter<byte>();
        new MessageWriter(new ChunkWriter()).Write(output, message, messageStreamId);
        byte[] bytes = output.WrittenSpan.ToArray();
        int chunkStream = bytes[0] & 0x3F; // a one-byte basic header (RTMP spec 5.3.1.1)
        using var reader = new ChunkReader();
        var sequence = new ReadOnlySequence<byte>(bytes);
        Assert.True(reader.TryReadMessage(ref sequence, out var read));
        byte[] payload = read.Payload.ToArray();
        read.Return();
        return (read.Type, chunkStream, read.StreamId, payload);
    }
}
