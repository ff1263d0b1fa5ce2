namespace Stagecast.Server.Features.Webhooks;

/// <summary>An event for an app's webhooks: its id (the <c>rtk-uuid</c> header), name, and the exact body to send.</summary>
public sealed record OutboxEvent(string Id, string AppId, string Event, byte[] Body);
