using Stagecast.Hls;
using Stagecast.Streaming;

namespace Stagecast.Server.Features.Livestreams;

/// <summary>
/// How many players watch a livestream now: HLS players that fetched a part or segment within <see cref="Window"/>
/// (told apart by the player id of their playlist URL, or address and user agent) plus the stream's own players (WHEP
/// viewers, meeting subscribers).
/// </summary>
public sealed class LiveViewers(HlsStreamRegistry hls, StreamHub hub)
{
    /// <summary>An LL-HLS player fetches a part every third of a second; one silent this long has stopped watching.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(5);

    public int Count(string livestreamId) =>
        (hls.TryGet(livestreamId, out var output) ? output.Viewers.ActivePlayers(Window) : 0)
        + (hub.Find(livestreamId)?.Viewers ?? 0);
}
