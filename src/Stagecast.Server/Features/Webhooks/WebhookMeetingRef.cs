namespace Stagecast.Server.Features.Webhooks;

/// <summary>The meeting (and its session) a livestream or recording event belongs to.</summary>
public sealed record WebhookMeetingRef(string Id, string? SessionId);
