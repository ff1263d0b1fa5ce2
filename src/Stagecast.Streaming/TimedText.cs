namespace Stagecast.Streaming;

/// <summary>A track of timed text (captions, subtitles) a stream carries beside its media: its name shown to viewers and its language (RFC 5646).</summary>
public sealed record TimedTextTrack(string Name, string Language);

/// <summary>
/// A line of timed text, on the server's clock (when its words were said), with who said them: a stream's readers get
/// it as a <see cref="MediaFrameKind.TimedText"/> frame (<see cref="HubStream.WriteTimedText"/>).
/// </summary>
public sealed record TimedTextCue(DateTimeOffset StartedAt, DateTimeOffset EndedAt, string Text, string? Voice);
