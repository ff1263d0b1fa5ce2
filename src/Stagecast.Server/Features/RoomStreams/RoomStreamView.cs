namespace Stagecast.Server.Features.RoomStreams;

/// <summary>
/// A room stream (SignalWire's <c>RoomSessionStream</c>): the meeting's program pushed to an RTMP(S) URL, its stream
/// key masked. The REST API answers with the same object.
/// </summary>
public sealed record RoomStreamView(
    string Id,
    string RoomId,
    string RoomSessionId,
    string State,
    string Url,
    double? Duration,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    string Status,
    string? LastError,
    long BytesSent);
