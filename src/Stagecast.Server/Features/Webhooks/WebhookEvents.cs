using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Stagecast.Server.Features.Webhooks;

/// <summary>
/// Makes the events an app's webhooks receive. Each feature builds its own payloads (meeting sessions theirs,
/// livestream sessions theirs) and writes the event with the change that causes it (<see cref="WebhookOutbox"/>).
/// Bodies are camelCase as RealtimeKit sends them, nulls left out (each feature's webhook JSON context says so); each
/// carries its <c>eventId</c>, which is also the <c>rtk-uuid</c> header and stays the same on every retry.
/// </summary>
public sealed class WebhookEvents
{
    /// <summary>An event named <paramref name="name"/> for an app; <paramref name="body"/> gets the event's id.</summary>
    public OutboxEvent Create<TBody>(string appId, string name, Func<string, TBody> body, JsonTypeInfo<TBody> type)
    {
        string id = Guid.NewGuid().ToString();
        return new OutboxEvent(id, appId, name, JsonSerializer.SerializeToUtf8Bytes(body(id), type));
    }
}
