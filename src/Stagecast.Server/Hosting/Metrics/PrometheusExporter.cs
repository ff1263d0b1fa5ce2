using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Stagecast.Server.Hosting.Metrics;

/// <summary>
/// The one place that speaks Prometheus: listens to every <c>Stagecast.*</c> meter of this host (the features', made by
/// its <see cref="IMeterFactory"/>) and of the process (the media plane's own: hub, LL-HLS, WebRTC, compositor, transcoders), keeps
/// running totals of the synchronous instruments (counters, histograms) per label set, collects the observable ones
/// at scrape time, and writes the text exposition format (0.0.4). Instrument names are already Prometheus names.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    private const int MaxCachedLabelSets = 10_000;
    private static readonly double[] DefaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private readonly ConcurrentDictionary<LabelSet, string> _labels = new();
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, Series> _series = new();
    private readonly Lock _scrape = new();
    private List<(Instrument Instrument, string Labels, double Value)>? _observed;

    public PrometheusExporter(IMeterFactory meters, IEnumerable<IFeatureMetrics> features)
    {
        Features = [.. features];

        // The media plane's meters are process-wide; touching them creates their instruments before the listener starts.
        _ = (Streaming.Metrics.StreamingMetrics.Meter, Hls.HlsMetrics.Meter, WebRtc.Transport.WebRtcMetrics.Meter, Compositor.CompositorMetrics.Meter,
            Transcoding.TranscodeMetrics.Meter);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            var meter = instrument.Meter;
            if (meter.Name.StartsWith("Stagecast.", StringComparison.Ordinal) && (meter.Scope is null || ReferenceEquals(meter.Scope, meters)))
            {
                listener.EnableMeasurementEvents(instrument, _series.GetOrAdd(instrument, i => new Series(i)));
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, state) => Record(instrument, value, tags, state));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, state) => Record(instrument, value, tags, state));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, state) => Record(instrument, value, tags, state));
        _listener.Start();
    }

    /// <summary>Every feature's instruments (resolved here, so they exist before the first scrape).</summary>
    public IReadOnlyList<IFeatureMetrics> Features { get; }

    /// <summary>The text exposition of everything, after the features have read what is not in memory.</summary>
    public async Task<string> ScrapeAsync(CancellationToken cancellationToken)
    {
        foreach (var feature in Features)
        {
            await feature.RefreshAsync(cancellationToken).ConfigureAwait(false);
        }

        return Scrape();
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
            _observed?.Add((instrument, Render(tags), number));
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

    /// <summary>
    /// The label text of a measurement, rendered once per label set (up to three labels): every HTTP request and
    /// every part records one, and rendering it each time was a percent of the server's time per playlist request.
    /// </summary>
    private string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length is 0 or > 3)
        {
            return Render(tags);
        }

        var set = new LabelSet(tags);
        if (_labels.TryGetValue(set, out string? labels))
        {
            return labels;
        }

        labels = Render(tags);
        if (_labels.Count >= MaxCachedLabelSets)
        {
            _labels.Clear(); // label sets of streams long ended, mostly: the live ones come back at their next measurement
        }

        _labels.TryAdd(set, labels);
        return labels;
    }

    private static string Render(ReadOnlySpan<KeyValuePair<string, object?>> tags)
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

    /// <summary>Up to three labels as a key: names and values compared with their own Equals (a boxed status code too).</summary>
    private readonly record struct LabelSet(string Key0, object? Value0, string? Key1, object? Value1, string? Key2, object? Value2)
    {
        public LabelSet(ReadOnlySpan<KeyValuePair<string, object?>> tags)
            : this(tags[0].Key, tags[0].Value, tags.Length > 1 ? tags[1].Key : null, tags.Length > 1 ? tags[1].Value : null,
                tags.Length > 2 ? tags[2].Key : null, tags.Length > 2 ? tags[2].Value : null)
        {
        }
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
