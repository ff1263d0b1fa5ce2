using System.Diagnostics.CodeAnalysis;

namespace Stagecast.Server.Hosting.Api;

/// <summary>The URLs a request may name for Stagecast to call or a browser to load: absolute http:// or https://, with a host.</summary>
public static class HttpUrls
{
    /// <summary>Whether <paramref name="url"/> is an absolute http(s) URL with a host; <paramref name="uri"/> is it parsed.</summary>
    public static bool TryParse(string url, [NotNullWhen(true)] out Uri? uri) =>
        Uri.TryCreate(url, UriKind.Absolute, out uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0;

    /// <summary>Whether it carries credentials (<c>user:password@</c>), which HttpClient never sends and an API must not show.</summary>
    public static bool HasCredentials(Uri uri) => uri.UserInfo.Length > 0;
}
