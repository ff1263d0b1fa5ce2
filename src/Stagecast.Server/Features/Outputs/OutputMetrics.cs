using System.Diagnostics.Metrics;
using Stagecast.Restream;
using Stagecast.Server.Hosting.Metrics;

namespace Stagecast.Server.Features.Outputs;

/// <summary>Restream outputs' instruments (meter <c>Stagecast.Outputs</c>).</summary>
public sealed class OutputMetrics : IFeatureMetrics
{
    public OutputMetrics(IMeterFactory meters, OutputManager outputs) =>
        meters.Create("Stagecast.Outputs").CreateObservableGauge("stagecast_restream_outputs", () =>
            Enum.GetValues<RestreamStatus>().Where(s => s != RestreamStatus.Idle).Select(status =>
                new Measurement<int>(outputs.RunningStatuses.Count(s => s == status), new KeyValuePair<string, object?>("state", status.ToString().ToLowerInvariant()))),
            description: "Restream outputs being pushed, by state.");
}
