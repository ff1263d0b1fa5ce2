using Stagecast.Server.Features.Rooms;

namespace Stagecast.Server.Features.Transcription;

/// <summary>
/// One utterance of a live transcript: who said it (the peer, its participant, the name shown), when (from its first
/// voiced sound to its end, on the server's clock) and the words heard.
/// </summary>
public sealed record TranscriptLine(
    string Id,
    string PeerId,
    string ParticipantId,
    string CustomParticipantId,
    string Name,
    DateTimeOffset StartedAt,
    DateTimeOffset EndedAt,
    string Text);

/// <summary>A participant's words were heard (<see cref="LiveTranscripts"/>); to every peer of the meeting.</summary>
public sealed record TranscriptHeard(TranscriptLine Line) : RoomEvent;
