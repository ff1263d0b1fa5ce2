using Stagecast.Streaming.Renditions;

namespace Stagecast.Server.Features.LivestreamSessions;

/// <summary>
/// Announces the encodes of live streams to the app's webhooks (<c>livestreaming.renditionUpdate</c>): one that came up or
/// caught up again (<c>LIVE</c>, listed to players), one that fell behind (<c>LAGGING</c>, left out until it is back), and
/// one not encoded at all (<c>REFUSED</c>: a limit of encodes at once; the livestream's <c>rendition_status</c> says which).
/// Their start and their end with the broadcast are not announced: <c>livestreaming.statusUpdate</c> says the broadcast's.
/// The events go through the session writer, so they follow the broadcast's own in order.
/// </summary>
public sealed class RenditionAnnouncements(IEnumerable<IRenditionStatus> statuses, LivestreamSessionWriter writer) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var status in statuses)
        {
            status.Changed += Announce;
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var status in statuses)
        {
            status.Changed -= Announce;
        }

        return Task.CompletedTask;
    }

    private void Announce(RenditionStatus status)
    {
        if (status.State is RenditionState.Live or RenditionState.Lagging or RenditionState.Refused)
        {
            writer.Enqueue(new LivestreamSessionEvent.RenditionChanged(status));
        }
    }
}
