using Stagecast.Streaming;

namespace Stagecast.Server.Features.LivestreamSessions;

/// <summary>A livestream session in progress on this server.</summary>
public sealed class ActiveLivestreamSession(string sessionId, HubStream stream)
{
    public string SessionId { get; } = sessionId;

    public HubStream Stream { get; } = stream;

    public string LivestreamId => Stream.Id;

    public DateTimeOffset StartedTime => Stream.StartedAt;
}
