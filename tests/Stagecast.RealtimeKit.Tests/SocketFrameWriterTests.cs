using Google.Protobuf;
using Stagecast.RealtimeKit.Protocol;
using Stagecast.RealtimeKit.Protocol.Chat;
using Stagecast.RealtimeKit.Protocol.Media;
using Stagecast.Testing;

namespace Stagecast.RealtimeKit.Tests;

public class SocketFrameWriterTests
{
    private static readonly SocketMessage ProduceRequest = new()
    {
        Event = RealtimeKitEvents.Media.Produce,
        Id = "p1-y",
        Payload = new ProducerCreateRequest { Kind = "audio" }.ToByteString(),
        Metadata = ByteString.CopyFromUtf8("{}"),
    };

    [Fact]
    public void A_reply_carries_the_requests_event_and_id_and_no_metadata()
    {
        var answer = new ProducerCreateResponse { Status = true, ProducerId = "a" };

        byte[] frame = SocketFrameWriter.Reply(ProduceRequest, answer);

        // 0x03000002, "p1-y", ProducerCreateResponse{status true, producer_id "a"}.
        Assert.Equal("0882808018120470312d791a050801120161", Hex.Of(frame));
    }

    [Fact]
    public void A_reply_without_payload_has_no_payload_field()
    {
        byte[] frame = SocketFrameWriter.Reply(ProduceRequest);

        Assert.Equal("0882808018120470312d79", Hex.Of(frame));
    }

    [Fact]
    public void An_empty_message_is_sent_as_a_present_empty_payload()
    {
        // The SDK tells "no payload" from an empty message (roomPeerCount without payload is ignored).
        var reply = SocketFrameReader.Read(SocketFrameWriter.Reply(ProduceRequest, new PeerJoinResponse()));

        Assert.True(reply.HasPayload);
        Assert.True(reply.Payload.IsEmpty);
    }

    [Fact]
    public void A_push_has_no_id()
    {
        var push = new SendChatMessageToRoomResponse { Message = new ChatMessage { ChatId = "c1", Payload = "hi" } };

        byte[] frame = SocketFrameWriter.Push(RealtimeKitEvents.Chat.SendMessageToRoom, push);

        // 0x10001, payload {message {chat_id "c1", payload "hi"}}.
        Assert.Equal("088180041a0a0a080a02633142026869", Hex.Of(frame));
    }

    [Fact]
    public void The_socket_error_is_event_65535_with_an_ErrorMessage()
    {
        byte[] frame = SocketFrameWriter.Error(ProduceRequest, "nope", code: 3);

        Assert.Equal("08ffff03120470312d791a08080312046e6f7065", Hex.Of(frame));
        var error = SocketFrameReader.ReadPayload(SocketFrameReader.Read(frame), ErrorMessage.Parser);
        Assert.Equal(("nope", 3), (error.Message, error.Code));
    }

    [Fact]
    public void The_socket_error_without_a_code_leaves_it_absent()
    {
        var error = SocketFrameReader.ReadPayload(
            SocketFrameReader.Read(SocketFrameWriter.Error(ProduceRequest, "nope")), ErrorMessage.Parser);

        Assert.False(error.HasCode);
    }

    [Fact]
    public void The_media_error_names_the_requests_event()
    {
        byte[] frame = SocketFrameWriter.MediaError(ProduceRequest, "bad");

        // 0x0300003C, "p1-y", ErrorResponse{error_message "bad", event_id 0x03000002}.
        Assert.Equal("08bc808018120470312d791a0a0a036261641082808018", Hex.Of(frame));
    }
}
