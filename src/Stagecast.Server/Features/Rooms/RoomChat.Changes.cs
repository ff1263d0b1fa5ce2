using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Features.Rooms;

/// <summary>Changes to a message: its sender edits or deletes it, a moderator deletes or pins it.</summary>
public sealed partial class RoomChat
{
    /// <summary>
    /// Its sender rewrites a text message (as its preset would let it send the text there, within its
    /// <c>chat.message.edit_cutoff_time_seconds</c>; <c>can_edit</c> of NONE forbids it): the message stays where it
    /// was, to whom it was, marked edited.
    /// </summary>
    public Task<ChatMessage> EditAsync(RoomPeer peer, string messageId, string text)
    {
        RequireText(text);
        return ChangeAsync(peer, messageId, ChatChange.Edited, text, m => Edited(peer, m, file: false) with { PayloadType = "text", Payload = text });
    }

    /// <summary>Its sender replaces a message with a file or picture it uploaded (<see cref="SendFileAsync"/>'s rules).</summary>
    public Task<ChatMessage> EditFileAsync(RoomPeer peer, string messageId, ChatFile? file)
    {
        string payload = ChatFileJson.Write(RequireOwnFile(peer, file));
        return ChangeAsync(peer, messageId, ChatChange.Edited, payload, m => Edited(peer, m, file: true) with { PayloadType = file!.IsImage ? "image" : "file", Payload = payload });
    }

    /// <summary>
    /// A message is deleted for everyone, from the history and the export: by its sender (within its preset's
    /// <c>chat.message.delete_cutoff_time_seconds</c>), or at any time by anyone whose preset's
    /// <c>chat.message.can_delete</c> is ALL (a host's, in the default presets); NONE forbids even one's own.
    /// </summary>
    public Task<ChatMessage> DeleteAsync(RoomPeer peer, string messageId) =>
        ChangeAsync(peer, messageId, ChatChange.Deleted, null, m => peer.Permissions.ChatDeleteAny ? m
            : peer.Permissions.ChatCanDelete && m.ParticipantId == peer.Participant.Id ? WithinCutoff(m, peer.Permissions.ChatDeleteCutoff, "deleted", "delete_cutoff_time_seconds")
            : throw new DomainException(DomainError.Forbidden, m.ParticipantId == peer.Participant.Id
                ? "your preset does not allow deleting chat messages (chat.message.can_delete)"
                : "only its sender may delete a chat message, or a preset whose chat.message.can_delete is ALL"));

    /// <summary>Pins (or unpins) a public message for everyone: for a preset with <c>pin_participant</c> (the hosts' in the default presets).</summary>
    public Task<ChatMessage> PinAsync(RoomPeer peer, string messageId, bool pinned) =>
        ChangeAsync(peer, messageId, ChatChange.Pinned, null, m => !peer.Permissions.PinParticipant
            ? throw new DomainException(DomainError.Forbidden, "your preset does not allow pinning chat messages (pin_participant)")
            : m.TargetUserIds is not null
                ? throw new DomainException(DomainError.BadRequest, "a private message cannot be pinned")
                : m with { Pinned = pinned });

    /// <summary>The message as its sender edits it into a text or a <paramref name="file"/>, which it must be allowed to send where the message is.</summary>
    private ChatMessage Edited(RoomPeer peer, ChatMessage message, bool file)
    {
        if (message.ParticipantId != peer.Participant.Id)
        {
            throw new DomainException(DomainError.Forbidden, "only its sender may edit a chat message");
        }

        if (!peer.Permissions.ChatCanEdit)
        {
            throw new DomainException(DomainError.Forbidden, "your preset does not allow editing chat messages (chat.message.can_edit)");
        }

        RequireAllowed(peer, toPeers: message.TargetUserIds is not null, file);
        return WithinCutoff(message, peer.Permissions.ChatEditCutoff, "edited", "edit_cutoff_time_seconds") with { IsEdited = true };
    }

    /// <summary>The message, unless the preset's <paramref name="cutoff"/> for changing it has passed since it was sent.</summary>
    private ChatMessage WithinCutoff(ChatMessage message, TimeSpan? cutoff, string changed, string setting) =>
        cutoff is { } limit && _time.GetUtcNow() - message.CreatedAt > limit
            ? throw new DomainException(DomainError.Forbidden, $"a chat message may be {changed} for {limit.TotalSeconds:0} s after it is sent (chat.message.{setting})")
            : message;

    /// <summary>
    /// One change to a message the peer can see (of this session, or of the meeting when it persists chat): made by
    /// <paramref name="change"/> (which refuses what the peer may not do), charged to the participant's chat rate (and
    /// <paramref name="payload"/> to the session's bytes), stored, and told to whoever the message is for.
    /// </summary>
    private async Task<ChatMessage> ChangeAsync(RoomPeer peer, string messageId, ChatChange kind, string? payload, Func<ChatMessage, ChatMessage> change)
    {
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            var message = await FindLocked(messageId).ConfigureAwait(false);
            if (message is null || !message.IsFor(peer.Participant.Id) || !peer.Permissions.ChatCanReceive)
            {
                throw new DomainException(DomainError.NotFound, $"no chat message {messageId} in this meeting");
            }

            var changed = change(message);
            _budget.Charge(peer, payload, newMessage: false);
            if (kind == ChatChange.Deleted)
            {
                await _store.DeleteChatAsync(message.Id, CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                await _store.UpdateChatAsync(changed, CancellationToken.None).ConfigureAwait(false);
            }

            if (_recent is { } recent)
            {
                _recent = kind == ChatChange.Deleted ? [.. recent.Where(m => m.Id != message.Id)] : [.. recent.Select(m => m.Id == message.Id ? changed : m)];
            }

            Publish(new ChatChanged(changed, kind, peer), changed);
            return changed;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>A message of this meeting shown in this room: of this session, or of any when the meeting persists chat.</summary>
    private async Task<ChatMessage?> FindLocked(string messageId)
    {
        var message = _recent?.FirstOrDefault(m => m.Id == messageId) ?? await _store.FindChatAsync(messageId, CancellationToken.None).ConfigureAwait(false);
        return message is not null && message.MeetingId == _room.MeetingId && (message.SessionId == _room.SessionId || _persistsChat()) ? message : null;
    }
}
