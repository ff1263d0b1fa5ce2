using System.Diagnostics.Metrics;

namespace Stagecast.Transcoding.Tests;

/// <summary>The transcoders' instruments as /metrics reads them: renditions gone lagging since this started, renditions live now.</summary>
internal sealed class TranscodeMeters : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _lagging;
    private long _live;

    public TranscodeMeters()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter == TranscodeMetrics.Meter)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "stagecast_rendition_lagging_total")
            {
                Interlocked.Add(ref _lagging, value);
            }
        });
        _listener.SetMeasurementEventCallback<int>((instrument, value, _, _) =>
        {
            if (instrument.Name == "stagecast_renditions_live")
            {
                Interlocked.Exchange(ref _live, value);
            }
        });
        _listener.Start();
    }

    public long Lagging => Interlocked.Read(ref _lagging);

    public long LiveRenditions()
    {
        _listener.RecordObservableInstruments();
        return Interlocked.Read(ref _live);
    }

    public void Dispose() => _listener.Dispose();
}
