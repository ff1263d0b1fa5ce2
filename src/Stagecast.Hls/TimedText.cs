using Stagecast.Streaming;

namespace Stagecast.Hls;

/// <summary>
/// What gives a live stream a timed text track (the server's transcription, for a meeting's livestream): asked once as
/// each stream starts, so the stream's playlists list the track from its first player on. Its cues come through the hub
/// stream as timed text frames (<see cref="HubStream.WriteTimedText"/>), which the packager places on the media timeline
/// (<see cref="Storage.HlsStream.AddCue"/>). None registered, or none answering, and nothing in the playlists changes.
/// </summary>
public interface ITimedTextSource
{
    /// <summary>The track stream <paramref name="streamId"/> carries, or null.</summary>
    TimedTextTrack? TrackOf(string streamId);
}
