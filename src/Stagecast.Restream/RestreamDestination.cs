namespace Stagecast.Restream;

/// <summary>
/// Where to push: an RTMP(S) server URL with its application (e.g. rtmp://a.rtmp.youtube.com/live2) and a stream
/// key. With an empty key, the URL's last path segment is the stream name.
/// </summary>
public sealed record RestreamDestination(Uri Url, string StreamKey)
{
    /// <summary>The URL without a trailing key, as sent in connect's tcUrl.</summary>
    public string TcUrl => $"{Url.Scheme}://{Url.Authority}/{App}";

    public string App => StreamKey.Length > 0 ? Path : Path[..Math.Max(0, Path.LastIndexOf('/'))];

    public string StreamName => StreamKey.Length > 0 ? StreamKey : Path[(Path.LastIndexOf('/') + 1)..] + Url.Query;

    private string Path => Url.AbsolutePath.Trim('/');

    /// <summary>
    /// A URL as answers and logs may show it: scheme, host, port and application, with the stream key (the last
    /// path segment and any query) and any user information replaced by asterisks.
    /// </summary>
    public static string Mask(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !IsSupported(uri))
        {
            return "****";
        }

        string app = new RestreamDestination(uri, "").App;
        return $"{uri.Scheme}://{(uri.UserInfo.Length > 0 ? "****@" : "")}{uri.Authority}/{(app.Length > 0 ? app + "/" : "")}****";
    }

    public static bool IsSupported(Uri url) =>
        url.IsAbsoluteUri && (url.Scheme is "rtmp" or "rtmps") && url.Host.Length > 0 && url.AbsolutePath.Trim('/').Length > 0;
}
