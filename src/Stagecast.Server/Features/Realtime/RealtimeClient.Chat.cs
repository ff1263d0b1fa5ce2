using Stagecast.Server.Features.Realtime.Protocol;
using Stagecast.Server.Features.Rooms;

namespace Stagecast.Server.Features.Realtime;

/// <summary>
/// Edits, pins and deletes of chat messages on the channel (<see cref="RoomChat.EditAsync"/> and its
/// siblings): the answer carries the message as it is now; everyone it is for gets <c>chat_updated</c> or
/// <c>chat_deleted</c>, the one who changed it too.
/// </summary>
public sealed partial class RealtimeClient
{
    internal async Task<RealtimeAnswer> EditChatAsync(ChatEditRequest request) =>
        new ChatAnswer(ChatView.From(await _room!.Chat.EditAsync(_peer!, request.MessageId!, request.Text!).ConfigureAwait(false), services.ChatFiles));

    internal async Task<RealtimeAnswer> PinChatAsync(ChatPinRequest request) =>
        new ChatAnswer(ChatView.From(await _room!.Chat.PinAsync(_peer!, request.MessageId!, request.Pinned!.Value).ConfigureAwait(false), services.ChatFiles));

    internal async Task<RealtimeAnswer> DeleteChatAsync(ChatDeleteRequest request)
    {
        await _room!.Chat.DeleteAsync(_peer!, request.MessageId!).ConfigureAwait(false);
        return EmptyAnswer.Instance;
    }
}
