using System.Text.Json;
using System.Text.Json.Serialization;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Webhooks;

/// <summary>
/// Makes the events an app's webhooks receive. Each feature builds its own payloads (meeting sessions theirs,
/// livestream sessions theirs) and writes the event with the change that causes it (<see cref="WebhookOutbox"/>).
/// Bodies are camelCase as RealtimeKit sends them; each carries its <c>eventId</c>, which is also the
/// <c>rtk-uuid</c> header and stays the same on every retry.
/// </summary>
public sealed class WebhookEvents
{
    private static readonly JsonSerializerOptions Json = CreateJson();

    /// <summary>An event named <paramref name="name"/> for an app; <paramref name="payload"/> gets the event's id.</summary>
    public OutboxEvent Create(string appId, string name, Func<string, object> payload)
    {
        string id = Guid.NewGuid().ToString();
        return new OutboxEvent(id, appId, name, JsonSerializer.SerializeToUtf8Bytes(payload(id), Json));
    }

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        options.Converters.Add(new ApiJson.UtcTimeConverter());
        return options;
    }
}
