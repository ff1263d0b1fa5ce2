using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Stagecast.Server.Hosting.Metrics;

/// <summary>
/// The one place that speaks Prometheus: listens to this server's meter and the process-wide media meter, keeps
/// running totals of the synchronous instruments (counters, histograms) per label set, collects the observable ones
/// at scrape time, and writes the text exposition format (0.0.4). Instrument names are already Prometheus names.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    private static readonly double[] DefaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, Series> _series = new();
    private readonly Lock _scrape = new();
    private List<(Instrument Instrument, string Labels, double Value)>? _observed;

    public PrometheusExporter(ServerMetrics server)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, server.Meter) || ReferenceEquals(instrument.Meter, Streaming.Metrics.MediaMetrics.Meter))
            {
                listener.EnableMeasurementEvents(instrument, _series.GetOrAdd(instrument, i => new Series(i)));
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, state) => Record(instrument, value, tags, state));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, state) => Record(instrument, value, tags, state));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, state) => Record(instrument, value, tags, state));
        _listener.Start();
    }

    public string Scrape()
    {
        var observed = new List<(Instrument Instrument, string Labels, double Value)>();
        lock (_scrape)
        {
            _observed = observed;
            _listener.RecordObservableInstruments();
            _observed = null;
        }

        var text = new StringBuilder();
        foreach (var series in _series.Values.OrderBy(s => s.Instrument.Name, StringComparer.Ordinal))
        {
            var instrument = series.Instrument;
            text.Append(CultureInfo.InvariantCulture, $"# HELP {instrument.Name} {instrument.Description}\n# TYPE {instrument.Name} {TypeOf(instrument)}\n");
            if (instrument.IsObservable)
            {
                foreach (var (_, labels, value) in observed.Where(o => o.Instrument == instrument))
                {
                    text.Append(CultureInfo.InvariantCulture, $"{instrument.Name}{labels} {value}\n");
                }
            }
            else
            {
                series.Write(text);
            }
        }

        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
        where T : struct, IConvertible
    {
        double number = value.ToDouble(CultureInfo.InvariantCulture);
        if (instrument.IsObservable)
        {
            _observed?.Add((instrument, Labels(tags), number));
        }
        else
        {
            ((Series)state!).Record(Labels(tags), number);
        }
    }

    private static string TypeOf(Instrument instrument) => instrument switch
    {
        Counter<long> or Counter<double> or ObservableCounter<long> or ObservableCounter<double> => "counter",
        Histogram<double> or Histogram<long> => "histogram",
        _ => "gauge",
    };

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
        {
            return "";
        }

        var text = new StringBuilder("{");
        foreach (var (key, value) in tags)
        {
            string escaped = Convert.ToString(value, CultureInfo.InvariantCulture)?.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n") ?? "";
            text.Append(CultureInfo.InvariantCulture, $"{(text.Length > 1 ? "," : "")}{key}=\"{escaped}\"");
        }

        return text.Append('}').ToString();
    }

    /// <summary>Running totals of one synchronous instrument, per label set: a sum for counters, buckets for histograms.</summary>
    private sealed class Series(Instrument instrument)
    {
        private readonly ConcurrentDictionary<string, LatencyHistogram> _histograms = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, StrongBox<double>> _sums = new(StringComparer.Ordinal);
        private readonly double[] _buckets = (instrument as Histogram<double>)?.Advice?.HistogramBucketBoundaries?.ToArray() ?? DefaultBuckets;

        public Instrument Instrument => instrument;

        public void Record(string labels, double value)
        {
            if (instrument is Histogram<double> or Histogram<long>)
            {
                _histograms.GetOrAdd(labels, _ => new LatencyHistogram(_buckets)).Record(value);
                return;
            }

            var sum = _sums.GetOrAdd(labels, _ => new StrongBox<double>());
            lock (sum)
            {
                sum.Value += value;
            }
        }

        public void Write(StringBuilder text)
        {
            string name = instrument.Name;
            foreach (var (labels, sum) in _sums)
            {
                text.Append(CultureInfo.InvariantCulture, $"{name}{labels} {Volatile.Read(ref sum.Value)}\n");
            }

            foreach (var (labels, histogram) in _histograms)
            {
                string inner = labels.Length == 0 ? "" : labels[1..^1] + ",";
                var (cumulative, sum) = histogram.Snapshot();
                for (int i = 0; i < histogram.Bounds.Count; i++)
                {
                    text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{{inner}le=\"{histogram.Bounds[i]}\"}} {cumulative[i]}\n");
                }

                text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{{inner}le=\"+Inf\"}} {cumulative[^1]}\n{name}_sum{labels} {sum}\n{name}_count{labels} {cumulative[^1]}\n");
            }
        }
    }
}
