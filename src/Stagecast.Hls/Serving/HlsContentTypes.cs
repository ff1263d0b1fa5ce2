namespace Stagecast.Hls.Serving;

internal static class HlsContentTypes
{
    /// <summary>RFC 8216bis 4: the playlist media type.</summary>
    public const string Playlist = "application/vnd.apple.mpegurl";

    public const string Mp4 = "video/mp4";

    /// <summary>A subtitles segment (W3C WebVTT, the text/vtt registration).</summary>
    public const string WebVtt = "text/vtt; charset=utf-8";

    /// <summary>
    /// The multivariant playlist (a player id of its own in each), a playlist asked for without _HLS_msn (it changes
    /// with every part) and errors: never cached.
    /// </summary>
    public const string NoCache = "no-cache, no-store";

    /// <summary>
    /// A playlist answering a blocking request (_HLS_msn, _HLS_part, _HLS_skip in its URL): every later copy would
    /// satisfy the same request, so a cache may keep it for a target duration and answer every player asking the same
    /// question with one origin request (RFC 8216bis 6.2.5.2).
    /// </summary>
    public static string Blocking(int targetDurationSeconds) => $"public, max-age={targetDurationSeconds}";

    /// <summary>Init segments, segments and parts never change at their URL (the epoch path component sees to that).</summary>
    public const string Immutable = "public, max-age=86400, immutable";
}
