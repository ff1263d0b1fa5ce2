using System.Text.Json;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Features.Plugins;

/// <summary>
/// What an opener's client says of a plugin (RealtimeKit's SDK 2.0.x: <c>{name, icon, id, enabledBy}</c>), kept as
/// given and shown to the other peers: a JSON object that names no web app but the plugin's own. A client that frames
/// what a descriptor names would otherwise run whatever a host wrote there (<c>javascript:</c> in the app's origin).
/// </summary>
public static class PluginDescriptors
{
    /// <summary>The names under which clients read a plugin's web app (Stagecast's JSON channel, RealtimeKit's 1.5.x list).</summary>
    private static readonly string[] UrlProperties = ["base_url", "baseURL"];

    /// <summary>
    /// Refuses (400) a descriptor of <paramref name="pluginId"/> (JSON in UTF-8, checked as every plugin value is) that is
    /// not an object, or that names a web app other than <paramref name="baseUrl"/> (the plugin's registration's, or
    /// Stagecast's own; none for a plugin Stagecast does not know).
    /// </summary>
    public static void Check(ReadOnlyMemory<byte> descriptor, string pluginId, string? baseUrl)
    {
        using var document = JsonDocument.Parse(descriptor);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new DomainException(DomainError.BadRequest, $"a plugin descriptor must be a JSON object (\"{pluginId}\" is not)");
        }

        foreach (var property in document.RootElement.EnumerateObject()) // every one: a name given twice is read as the last by a browser
        {
            if (UrlProperties.Contains(property.Name) && !(baseUrl is not null && property.Value.ValueKind == JsonValueKind.String && property.Value.ValueEquals(baseUrl)))
            {
                throw new DomainException(DomainError.BadRequest, baseUrl is null
                    ? $"a plugin descriptor may name no web app (\"{property.Name}\"): {pluginId} is neither one of the app's registered plugins nor Stagecast's own"
                    : $"a plugin descriptor may name only the plugin's own web app (\"{property.Name}\": {baseUrl})");
            }
        }
    }
}
