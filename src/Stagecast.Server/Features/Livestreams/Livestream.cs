using System.Collections.Immutable;
using Stagecast.Streaming.Renditions;

namespace Stagecast.Server.Features.Livestreams;

/// <summary>
/// A livestream as stored: the stream key sealed (encrypted) and its lookup digest; <see cref="Renditions"/> is its own
/// ladder, null while it follows its app's default; with <see cref="RequireTls"/> its key is refused when it comes in
/// clear (plain RTMP, SRT, WHIP over plain HTTP); with <see cref="TranscriptionEnabled"/> an independent livestream's own audio is
/// captioned in its HLS while the server runs a speech engine (docs/ai.md).
/// </summary>
public sealed record Livestream(
    string Id,
    string AppId,
    string? Name,
    string? MeetingId,
    byte[] SealedStreamKey,
    byte[] StreamKeyHash,
    LivestreamStatus Status,
    bool Disabled,
    bool ManualIngest,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? MeetingSessionId = null,
    VideoConfig? VideoConfig = null,
    string RecordingMode = Livestream.RecordingOff,
    string IngestProtocol = Livestream.Rtmp,
    ImmutableArray<Rendition>? Renditions = null,
    bool RequireTls = false,
    bool TranscriptionEnabled = false)
{
    public const string RecordingOff = "off";

    /// <summary>Its <c>ingest_server</c> is rtmp:// (the default) or rtmps:// (created with <c>?protocol=rtmps</c>).</summary>
    public const string Rtmp = "rtmp";

    public const string Rtmps = "rtmps";

    /// <summary>Every session is recorded.</summary>
    public const string RecordingAutomatic = "automatic";
}

/// <summary>The program size asked for when a meeting livestream was started (used by the compositor).</summary>
public sealed record VideoConfig(int? Width, int? Height);

public enum LivestreamStatus
{
    Idle,
    Invoked,
    Live,
    Errored,
}
