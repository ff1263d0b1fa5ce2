using Stagecast.RealtimeKit.Protocol;
using Stagecast.RealtimeKit.Protocol.Chat;
using Stagecast.RealtimeKit.Protocol.Media;
using Stagecast.Testing;

namespace Stagecast.RealtimeKit.Tests;

public class SocketFrameReaderTests
{
    // media.joinRoom (0x03000010), id "p1-abc", payload PeerJoinRequest{display_name "Ada"}, metadata {}.
    private static readonly byte[] JoinRoomFrame = Hex.Parse("""
        08 90 80 80 18
        12 06 70 31 2d 61 62 63
        1a 05 0a 03 41 64 61
        22 02 7b 7d
        """);

    [Fact]
    public void Reads_event_id_payload_and_metadata()
    {
        var message = SocketFrameReader.Read(JoinRoomFrame);

        Assert.Equal(RealtimeKitEvents.Media.JoinRoom, message.Event);
        Assert.Equal("p1-abc", message.Id);
        Assert.Equal("{}", message.Metadata.ToStringUtf8());
        var join = SocketFrameReader.ReadPayload(message, PeerJoinRequest.Parser);
        Assert.Equal("Ada", join.DisplayName);
        Assert.False(join.HasMeetingId);
    }

    [Fact]
    public void Reads_a_request_without_payload_as_the_empty_message()
    {
        // chat.getMessages (0x10000), id "p1-q", no payload: how the SDK asks for the chat history.
        var message = SocketFrameReader.Read(Hex.Parse("08 80 80 04 12 04 70 31 2d 71"));

        Assert.Equal(RealtimeKitEvents.Chat.GetMessages, message.Event);
        Assert.False(message.HasPayload);
        Assert.Empty(SocketFrameReader.ReadPayload(message, GetChatMessagesResponse.Parser).Messages);
    }

    [Theory]
    [InlineData("08 90")] // the event's varint cut short
    [InlineData("08 ff ff ff ff ff ff ff ff ff ff 01")] // a varint of eleven bytes
    [InlineData("1a 05 0a 03")] // a payload of 5 bytes with 2 left
    [InlineData("12 ff ff ff ff 0f")] // an id of 2^32 - 1 bytes
    [InlineData("0f")] // wire type 7
    [InlineData("00")] // field number 0
    public void Refuses_malformed_frames(string hex)
    {
        var e = Assert.Throws<RealtimeKitProtocolException>(() => SocketFrameReader.Read(Hex.Parse(hex)));
        Assert.StartsWith("malformed socket message", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_a_frame_over_the_limit_before_parsing_it()
    {
        var frame = new byte[RealtimeKitLimits.MaxSocketMessageSize + 1];
        Array.Copy(JoinRoomFrame, frame, JoinRoomFrame.Length);

        var e = Assert.Throws<RealtimeKitProtocolException>(() => SocketFrameReader.Read(frame));
        Assert.Contains("over the limit", e.Message, StringComparison.Ordinal);
        Assert.Equal("p1-abc", SocketFrameReader.Read(JoinRoomFrame, maxSize: JoinRoomFrame.Length).Id);
        Assert.Throws<RealtimeKitProtocolException>(
            () => SocketFrameReader.Read(JoinRoomFrame, maxSize: JoinRoomFrame.Length - 1));
    }

    [Fact]
    public void Refuses_a_malformed_payload()
    {
        // A well-formed SocketMessage whose payload (field 9 of PeerJoinRequest, length 10) runs past its end.
        var message = SocketFrameReader.Read(Hex.Parse("08 90 80 80 18 1a 03 4a 0a 00"));

        var e = Assert.Throws<RealtimeKitProtocolException>(
            () => SocketFrameReader.ReadPayload(message, PeerJoinRequest.Parser));
        Assert.Contains("0x3000010", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_truncation_of_a_frame_is_read_or_refused_cleanly()
    {
        for (int length = 0; length <= JoinRoomFrame.Length; length++)
        {
            ReadOrRefuse(JoinRoomFrame.AsSpan(0, length));
        }
    }

    [Fact]
    public void Random_bytes_are_read_or_refused_cleanly()
    {
        var random = new Random(43);
        var frame = new byte[64];
        for (int i = 0; i < 20_000; i++)
        {
            random.NextBytes(frame);
            var slice = frame.AsSpan(0, random.Next(frame.Length + 1));
            if (ReadOrRefuse(slice) is { } message)
            {
                ReadPayloadOrRefuse(message);
            }
        }
    }

    private static SocketMessage? ReadOrRefuse(ReadOnlySpan<byte> frame)
    {
        try
        {
            return SocketFrameReader.Read(frame);
        }
        catch (RealtimeKitProtocolException)
        {
            return null;
        }
    }

    private static void ReadPayloadOrRefuse(SocketMessage message)
    {
        try
        {
            SocketFrameReader.ReadPayload(message, ConsumePeerResponse.Parser);
        }
        catch (RealtimeKitProtocolException)
        {
        }
    }
}
