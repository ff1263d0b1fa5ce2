namespace Stagecast.Server.Features.Outputs;

/// <summary>A restream destination of a livestream; its stream key is sealed.</summary>
public sealed record LivestreamOutput(
    string Id,
    string LivestreamId,
    string AppId,
    string Url,
    byte[] SealedStreamKey,
    bool Enabled,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);
