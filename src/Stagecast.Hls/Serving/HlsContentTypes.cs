namespace Stagecast.Hls.Serving;

internal static class HlsContentTypes
{
    /// <summary>RFC 8216bis 4: the playlist media type.</summary>
    public const string Playlist = "application/vnd.apple.mpegurl";

    public const string Mp4 = "video/mp4";

    /// <summary>Playlists change with every part: never cached.</summary>
    public const string NoCache = "no-cache, no-store";

    /// <summary>Init segments, segments and parts never change at their URL (the epoch path component sees to that).</summary>
    public const string Immutable = "public, max-age=86400, immutable";
}
