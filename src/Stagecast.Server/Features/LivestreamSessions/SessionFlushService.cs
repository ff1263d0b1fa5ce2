using Microsoft.Extensions.Options;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Features.LivestreamSessions;

/// <summary>Writes the figures of live sessions every flush interval.</summary>
public sealed class SessionFlushService(SessionRecorder recorder, IOptions<SessionAccountingOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.FlushInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                recorder.Flush();
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down: ending streams writes their final figures.
        }
    }
}
