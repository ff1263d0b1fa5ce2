using Stagecast.Streaming;

namespace Stagecast.Server.Features.LivestreamSessions;

/// <summary>A livestream session in progress on this server.</summary>
public sealed class ActiveLivestreamSession(string sessionId, LiveStream stream)
{
    public string SessionId { get; } = sessionId;

    public LiveStream Stream { get; } = stream;

    public string LivestreamId => Stream.Id;

    public DateTimeOffset StartedTime => Stream.StartedAt;
}
