using Google.Protobuf;
using Stagecast.RealtimeKit.Protocol;
using Stagecast.RealtimeKit.Protocol.Chat;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Hosting;
using Events = Stagecast.RealtimeKit.RealtimeKitEvents;

namespace Stagecast.Server.Features.RealtimeKit.Socket;

public sealed partial class RealtimeKitClient
{
    private static bool IsChat(uint @event) => @event >> 16 == 1;

    /// <summary>
    /// From the socket's opening until it joins, the client is one of the meeting's chat members
    /// (<see cref="MeetingRooms.ChatMembersOf"/>) when its preset lets it receive chat and it would enter without
    /// waiting: RealtimeKit's SDK chats between <c>init()</c> and <c>join()</c>, and a chat-only widget never joins.
    /// </summary>
    private void StartChatMember()
    {
        if (Permissions.ChatCanReceive && !services.Rooms.WaitlistOf(Participant.MeetingId).MustWait(Participant, Permissions))
        {
            _chatMember = new RoomPeer(clientPeerId, Participant, Permissions, Participant.Name, services.Time.GetUtcNow(), services.Rooms.ChangesOf(Participant))
            {
                Client = this,
            };
            services.Rooms.AddChatMember(_chatMember);
        }
    }

    private void StopChatMember()
    {
        if (Interlocked.Exchange(ref _chatMember, null) is { } member)
        {
            services.Rooms.RemoveChatMember(member);
        }
    }

    /// <summary>
    /// A chat request of the peer, or of the chat member (the token and preset read again before each of its requests,
    /// as at a join). <paramref name="room"/> is null for a chat member while the meeting has no session in
    /// progress: it reads no chat and may send none (a chat member starts no session).
    /// </summary>
    private async Task<IMessage?> ChatRequestAsync(MeetingRoom? room, RoomPeer peer, SocketMessage message)
    {
        if (ReferenceEquals(peer, _chatMember))
        {
            await RecheckAsync(peer).ConfigureAwait(false);
        }

        switch (message.Event)
        {
            case Events.Chat.GetMessages:
                return await ChatHistoryAsync(room, peer).ConfigureAwait(false);
            case Events.Chat.GetPaginatedMessages:
                return await ChatPageAsync(room, peer, Read(message, GetPaginatedChatMessageRoomRequest.Parser)).ConfigureAwait(false);
        }

        if (room is null)
        {
            throw new DomainException(DomainError.Conflict, "the meeting has no session in progress: its chat opens when a participant joins");
        }

        return message.Event switch
        {
            Events.Chat.SendMessageToRoom => await ChatAsync(room, peer, Read(message, SendChatMessageToRoomRequest.Parser)).ConfigureAwait(false),
            Events.Chat.SendMessageToPeers => await ChatToPeersAsync(room, peer, Read(message, SendChatMessageToPeersRequest.Parser)).ConfigureAwait(false),
            Events.Chat.EditMessage => await EditChatAsync(room, peer, Read(message, EditChatMessageRequest.Parser)).ConfigureAwait(false),
            Events.Chat.DeleteMessage => new DeleteChatMessageResponse { ChatId = (await room.Chat.DeleteAsync(peer, Read(message, DeleteChatMessageRequest.Parser).ChatId).ConfigureAwait(false)).Id },
            Events.Chat.PinMessage => await PinChatAsync(room, peer, Read(message, PinChatMessageRequest.Parser)).ConfigureAwait(false),
            _ => throw new DomainException(DomainError.BadRequest, $"event 0x{message.Event:x} is not supported by this server"),
        };
    }

    /// <summary>
    /// <c>chat.editMessage</c>: the sender's new text (payload_type 0), or a picture or file it uploaded (1, 2), in place
    /// of its message. The answer carries the message as edited; the others who see it get it pushed (the SDK applies
    /// the answer as a push, so the editor gets no push as well).
    /// </summary>
    private async Task<IMessage> EditChatAsync(MeetingRoom room, RoomPeer peer, EditChatMessageRequest request)
    {
        var edited = request.PayloadType switch
        {
            0 => await room.Chat.EditAsync(peer, request.ChatId, request.Payload).ConfigureAwait(false),
            1 or 2 => await room.Chat.EditFileAsync(peer, request.ChatId, await services.ChatFiles.OfLinkAsync(LinkOf(request.PayloadType, request.Payload)).ConfigureAwait(false))
                .ConfigureAwait(false),
            _ => throw new DomainException(DomainError.BadRequest, "chat messages must be text, image or file (payload_type 0, 1 or 2)"),
        };
        return new EditChatMessageResponse { Message = _views.Chat(edited) };
    }

    /// <summary><c>chat.pinMessage</c>: pins or unpins a public message for everyone (answered, and pushed to the others).</summary>
    private async Task<IMessage> PinChatAsync(MeetingRoom room, RoomPeer peer, PinChatMessageRequest request)
    {
        var message = await room.Chat.PinAsync(peer, request.ChatId, request.Pinned).ConfigureAwait(false);
        return new PinChatMessageResponse { ChatId = message.Id, Pinned = message.Pinned, Message = _views.Chat(message) };
    }
}
