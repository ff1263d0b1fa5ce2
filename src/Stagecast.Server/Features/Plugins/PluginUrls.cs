using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Plugins;

/// <summary>
/// Where a plugin's web app may be, for a page to frame it: an https:// URL, or http:// on a loopback host (a plugin
/// developed on the same machine), without credentials. Never <c>javascript:</c>, <c>data:</c> or any other scheme,
/// which a frame would run in the framing page's origin, and never plain http:// across a network. Stagecast's own
/// plugins (<see cref="StagecastPlugins"/>) are paths on the Stagecast server, which its pages frame on its own origin.
/// </summary>
public static class PluginUrls
{
    public const string Rule = "an https:// URL (http:// only on a loopback host) without credentials";

    public static bool IsFrameable(string url) =>
        HttpUrls.TryParse(url, out var uri) && !HttpUrls.HasCredentials(uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.IsLoopback);

    /// <summary>
    /// The web app a page frames for the plugin <paramref name="pluginId"/>: one of the app's <paramref name="registered"/>
    /// plugins' <c>base_url</c>, Stagecast's notes pad's path, or null for a plugin Stagecast does not know (a RealtimeKit
    /// 2.0.x app's own element, which the app shows itself).
    /// </summary>
    public static string? Of(string pluginId, Plugin? registered) =>
        registered?.BaseUrl ?? (pluginId == StagecastPlugins.NotesId ? StagecastPlugins.NotesPath : null);
}
