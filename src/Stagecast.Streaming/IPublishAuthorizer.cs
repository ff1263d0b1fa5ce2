namespace Stagecast.Streaming;

/// <summary>
/// Decides whether a stream key may publish, and to which stream. Implementations compare keys in constant time
/// and never log them in full.
/// </summary>
public interface IPublishAuthorizer
{
    ValueTask<PublishAuthorization> AuthorizeAsync(string app, string streamKey, PublisherInfo publisher, CancellationToken cancellationToken);
}

/// <summary>The answer of <see cref="IPublishAuthorizer"/>: the stream id to publish to, or why not.</summary>
public readonly record struct PublishAuthorization(string? StreamId, string? Reason)
{
    public bool IsAllowed => StreamId is not null;

    public static PublishAuthorization Allow(string streamId) => new(streamId, null);

    public static PublishAuthorization Deny(string reason) => new(null, reason);
}
