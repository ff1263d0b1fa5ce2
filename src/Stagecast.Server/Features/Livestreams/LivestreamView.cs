using Stagecast.Server.Hosting.Database;

namespace Stagecast.Server.Features.Livestreams;

/// <summary>
/// A livestream as the API shows it: plain stream key, URLs (<c>SrtUrl</c> null while SRT is off) and its current status;
/// while it is live here, what comes in and the state of its encodes.
/// </summary>
public sealed record LivestreamView(
    Livestream Record, string StreamKey, string IngestServer, string? SrtUrl, string PlaybackUrl, string ThumbnailUrl, LivestreamStatus Status, string WhipUrl, string WhepUrl, string WatchUrl, int LiveViewers, IngestDto? Ingest,
    IReadOnlyList<RenditionStatusDto>? RenditionStatus);
