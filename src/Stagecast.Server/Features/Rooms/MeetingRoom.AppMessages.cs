using Stagecast.Server.Hosting;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.Rooms;

/// <summary>
/// App messages (RealtimeKit's broadcasts): an app's own events between the peers of a meeting, whatever front end
/// each came through. Passed on at once to every other connected peer (or to those named), never stored: a peer that
/// joins later, or is away, misses them. A peer may send <see cref="RoomOptions.AppMessagesPerSecond"/> a second
/// (bursts of twice as many), as RealtimeKit's SDK allows itself; the app's server (REST) is not limited here.
/// </summary>
public sealed partial class MeetingRoom
{
    /// <summary>
    /// Passes <paramref name="message"/> on to the peers <paramref name="to"/> names by id (every peer when null), but its
    /// sender; the peers it reached. The lock covers the sender's check and who the peers are, not the passing on.
    /// </summary>
    public async Task<int> SendAppMessageAsync(AppMessage message, IReadOnlySet<string>? to = null)
    {
        RoomPeer[] recipients;
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (message.From is { } sender)
            {
                if (!_peers.ContainsKey(sender.Id))
                {
                    throw new DomainException(DomainError.Conflict, "join the meeting first");
                }

                sender.AppMessages ??= new TokenBucket(_time, _options.AppMessagesPerSecond, _options.AppMessagesPerSecond * 2.0);
                if (!sender.AppMessages.TryTake())
                {
                    throw new DomainException(DomainError.TooMany, $"a peer may send {_options.AppMessagesPerSecond} app messages a second; slow down");
                }
            }

            recipients = [.. _snapshot.Where(p => p != message.From && (to is null || to.Contains(p.Id)) && p.Client is not null)];
        }
        finally
        {
            _lock.Release();
        }

        var sent = new AppMessageSent(message, to is not null);
        foreach (var peer in recipients)
        {
            peer.Notify(sent);
        }

        return recipients.Length;
    }
}
