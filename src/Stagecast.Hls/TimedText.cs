namespace Stagecast.Hls;

/// <summary>A track of timed text (captions, subtitles) a stream carries beside its media: its name shown to viewers and its language (RFC 5646).</summary>
public sealed record TimedTextTrack(string Name, string Language);

/// <summary>A line of timed text, on the server's clock (when its words were said), with who said them.</summary>
public sealed record TimedTextCue(DateTimeOffset StartedAt, DateTimeOffset EndedAt, string Text, string? Voice);

/// <summary>
/// What gives a live stream a timed text track (the server's transcription, for a meeting's livestream): asked once as
/// each stream starts, so the stream's playlists list the track from its first player on. What it returns is then fed
/// through <see cref="Storage.HlsStream.AddCue"/>. None registered, or none answering, and nothing in the playlists changes.
/// </summary>
public interface ITimedTextSource
{
    /// <summary>The track stream <paramref name="streamId"/> carries, or null.</summary>
    TimedTextTrack? TrackOf(string streamId);
}
