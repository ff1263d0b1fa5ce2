using Microsoft.Extensions.Options;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Features.LivestreamSessions;

/// <summary>Writes the figures of live sessions every flush interval, while there are any.</summary>
public sealed class LivestreamSessionFlushService(LivestreamSessionAccounting recorder, IOptions<AccountingOptions> options, TimeProvider time)
    : OnDemandService(time, options.Value.FlushInterval)
{
    protected override Task TickAsync()
    {
        recorder.Flush();
        return Task.CompletedTask;
    }

    // An ended session's final figures are written when it ends, so nothing is left for a flush after the last one.
    protected override bool IsBusy() => recorder.Active.Count > 0;

    protected override void Subscribe(Action wake) => recorder.Started += wake;

    protected override void Unsubscribe(Action wake) => recorder.Started -= wake;
}
