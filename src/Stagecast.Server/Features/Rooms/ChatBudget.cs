using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Hosting;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.Rooms;

/// <summary>
/// What a session's chat may cost (<see cref="ChatOptions"/>): each participant's rate, over all its connections
/// together, and the session's total of messages and bytes (what one session may store). Charged before a message is
/// kept or changed, under its chat's lock (<see cref="RoomChat"/>), so it needs none of its own.
/// </summary>
internal sealed class ChatBudget(ChatOptions limits, TimeProvider time)
{
    private readonly Dictionary<string, TokenBucket> _rates = new(StringComparer.Ordinal);
    private int _messages;
    private long _bytes;

    /// <summary>Charges a new message (<paramref name="newMessage"/>) or a change to one (its new text only, if any); refused (429, 413) past a bound.</summary>
    public void Charge(RoomPeer peer, string? text, bool newMessage)
    {
        if (!_rates.TryGetValue(peer.Participant.Id, out var rate))
        {
            rate = new TokenBucket(time, limits.MessagesPerSecond, limits.MessagesPerSecond * 2.0);
            _rates.Add(peer.Participant.Id, rate);
        }

        if (!rate.TryTake())
        {
            throw new DomainException(DomainError.TooMany, $"a participant may send {limits.MessagesPerSecond} chat messages a second; slow down");
        }

        int bytes = text is null ? 0 : System.Text.Encoding.UTF8.GetByteCount(text);
        int messages = newMessage ? 1 : 0;
        if (_messages + messages > limits.MaxMessagesPerSession || _bytes + bytes > limits.MaxBytesPerSession)
        {
            throw new DomainException(DomainError.TooLarge,
                $"this session's chat is full ({limits.MaxMessagesPerSession} messages or {limits.MaxBytesPerSession} bytes); it opens again with the next session");
        }

        _messages += messages;
        _bytes += bytes;
    }
}
