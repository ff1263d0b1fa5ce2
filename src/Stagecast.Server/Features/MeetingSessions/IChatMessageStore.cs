namespace Stagecast.Server.Features.MeetingSessions;

/// <summary>A session's chat messages as stored (<see cref="IMeetingSessionStore"/>'s), what a room's chat reads and writes.</summary>
public interface IChatMessageStore
{
    Task AddChatAsync(ChatMessage message, CancellationToken cancellationToken);

    /// <summary>A chat message by its id; null when there is none (never sent, deleted, or past retention).</summary>
    Task<ChatMessage?> FindChatAsync(string id, CancellationToken cancellationToken);

    /// <summary>Writes a message's payload (and its type), its pin and whether it was edited.</summary>
    Task UpdateChatAsync(ChatMessage message, CancellationToken cancellationToken);

    /// <summary>Removes a message (deleted in the meeting): it is in no history and no export.</summary>
    Task DeleteChatAsync(string id, CancellationToken cancellationToken);

    Task<IReadOnlyList<ChatMessage>> ListChatAsync(string sessionId, CancellationToken cancellationToken);

    /// <summary>The newest messages of a meeting across its sessions, oldest first (meetings that persist chat).</summary>
    Task<IReadOnlyList<ChatMessage>> ListRecentMeetingChatAsync(string meetingId, int limit, CancellationToken cancellationToken);
}
