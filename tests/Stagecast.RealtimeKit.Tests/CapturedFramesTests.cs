using Stagecast.RealtimeKit.Protocol;
using Stagecast.RealtimeKit.Protocol.Chat;
using Stagecast.RealtimeKit.Protocol.Polls;
using Stagecast.RealtimeKit.Protocol.Rooms;
using Stagecast.Testing;

namespace Stagecast.RealtimeKit.Tests;

/// <summary>
/// Frames the unmodified SDK (@cloudflare/realtimekit 2.0.2 in Chromium) sent to Stagecast in RealtimeKitViewerTests,
/// captured from the wire as they were: a LIVESTREAM viewer "Vic" joining, saying "hello from the SDK" and voting
/// for a poll's second option. They decode as the messages the server reads them as.
/// </summary>
public class CapturedFramesTests
{
    private static readonly byte[] JoinRoom = Hex.Parse("""
        0803122A36633639653564382D616535612D343635632D393665642D3439316666646565653861332D726932366F1A5B
        0A590A2436633639653564382D616535612D343635632D393665642D3439316666646565653861331224306238633563
        30322D643234662D346666652D396464362D6439656433643130373432391A035669632A0676696577657222497B2254
        52414345504152454E54223A2230302D3663363965356438616535613436356339366564343931666664656565386133
        2D356132303061326132326131346238322D3031227D
        """);

    private static readonly byte[] SendChat = Hex.Parse("""
        08818004122A36633639653564382D616535612D343635632D393665642D3439316666646565653861332D6437796A67
        1A14121268656C6C6F2066726F6D207468652053444B22497B225452414345504152454E54223A2230302D3663363965
        3564386165356134363563393665643439316666646565653861332D626332623231373363663538343637342D303122
        7D
        """);

    private static readonly byte[] VotePoll = Hex.Parse("""
        0882800C122A36633639653564382D616535612D343635632D393665642D3439316666646565653861332D6F38723569
        1A280A2430393938616539652D616632332D343463342D613338372D313835386230656564383732100122497B225452
        414345504152454E54223A2230302D36633639653564386165356134363563393665643439316666646565653861332D
        323834653836393863323531343038612D3031227D
        """);

    [Fact]
    public void TheJoinNamesThePeerAsTheSocketsUrlDid()
    {
        var message = SocketFrameReader.Read(JoinRoom);

        Assert.Equal(RealtimeKitEvents.Room.JoinRoom, message.Event);
        var join = SocketFrameReader.ReadPayload(message, JoinRoomRequest.Parser);
        Assert.Equal("Vic", join.Peer.DisplayName);
        Assert.StartsWith(join.Peer.PeerId + "-", message.Id, StringComparison.Ordinal); // a request's id: "<peerId>-<random>"
        Assert.False(join.Peer.Waitlisted);
        Assert.Contains("TRACEPARENT", message.Metadata.ToStringUtf8(), StringComparison.Ordinal);
    }

    [Fact]
    public void TheChatMessageIsTextAndItsPayload()
    {
        var message = SocketFrameReader.Read(SendChat);

        Assert.Equal(RealtimeKitEvents.Chat.SendMessageToRoom, message.Event);
        var chat = SocketFrameReader.ReadPayload(message, SendChatMessageToRoomRequest.Parser);
        Assert.Equal((0, "hello from the SDK"), (chat.PayloadType, chat.Payload));
    }

    [Fact]
    public void TheVoteNamesThePollAndTheOptionsIndex()
    {
        var message = SocketFrameReader.Read(VotePoll);

        Assert.Equal(RealtimeKitEvents.Polls.VotePoll, message.Event);
        var vote = SocketFrameReader.ReadPayload(message, VotePollRequest.Parser);
        Assert.Equal(1UL, vote.Index);
        Assert.True(Guid.TryParse(vote.PollId, out _));
    }
}
