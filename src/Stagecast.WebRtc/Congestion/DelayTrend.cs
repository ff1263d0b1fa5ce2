namespace Stagecast.WebRtc.Congestion;

/// <summary>What the path's queueing delay says about the rate we send at.</summary>
public enum PathUsage
{
    /// <summary>The delay holds: the path carries what we send.</summary>
    Normal,

    /// <summary>The delay grows: we send more than the path carries, and a queue builds.</summary>
    Overusing,

    /// <summary>The delay shrinks: a queue drains.</summary>
    Underusing,
}

/// <summary>
/// The delay-based half of a send-side estimator, as GCC's (draft-ietf-rmcat-gcc-02, section 5) and libwebrtc's
/// trendline filter do it: packets are grouped into the bursts they were sent in (within <see cref="BurstMicros"/>);
/// between groups, how much more (or less) time the second took to arrive than to be sent is the queueing delay's
/// change; its running sum, smoothed, is fitted to a line over the last <see cref="WindowSize"/> groups, and the
/// line's slope, against a threshold that adapts to the path's jitter, says whether a queue builds
/// (<see cref="PathUsage.Overusing"/>, held for at least 10 ms before it is said), drains, or holds. Not thread-safe.
/// </summary>
public sealed class DelayTrend
{
    internal const long BurstMicros = 5_000;
    internal const int WindowSize = 20;
    private const double Smoothing = 0.9;
    private const double Gain = 4;
    private const double OverusingMillis = 10;
    private const double ThresholdUp = 0.0087;
    private const double ThresholdDown = 0.039;

    private readonly Queue<(double X, double Y)> _window = new(WindowSize + 1);
    private long _groupFirstSent = -1;
    private long _groupLastSent;
    private long _groupLastArrived;
    private long _previousSent = -1;
    private long _previousArrived;
    private long _firstArrived = -1;
    private double _accumulated;
    private double _smoothed;
    private int _deltas;
    private double _previousTrend;
    private double _overusingFor = -1;
    private int _overuses;
    private double _threshold = 12.5;
    private double _lastThresholdUpdate = -1;

    public PathUsage Usage { get; private set; }

    /// <summary>The last slope of the queueing delay, as compared with the threshold (ms).</summary>
    public double Trend { get; private set; }

    /// <summary>Takes one received packet, in the order they were sent.</summary>
    public void Add(PacketResult packet)
    {
        if (!packet.Received)
        {
            return;
        }

        if (_groupFirstSent < 0)
        {
            (_groupFirstSent, _groupLastSent, _groupLastArrived) = (packet.SentMicros, packet.SentMicros, packet.ArrivedMicros);
            return;
        }

        if (packet.SentMicros < _groupFirstSent)
        {
            return; // reordered behind its group: left out
        }

        if (packet.SentMicros - _groupFirstSent <= BurstMicros)
        {
            _groupLastSent = packet.SentMicros;
            _groupLastArrived = Math.Max(_groupLastArrived, packet.ArrivedMicros);
            return;
        }

        // The group is complete: compare it with the one before.
        if (_previousSent >= 0)
        {
            long sentDelta = _groupLastSent - _previousSent;
            long arrivedDelta = _groupLastArrived - _previousArrived;
            if (arrivedDelta >= 0)
            {
                Update((arrivedDelta - sentDelta) / 1000.0, sentDelta / 1000.0, _groupLastArrived);
            }
        }

        (_previousSent, _previousArrived) = (_groupLastSent, _groupLastArrived);
        (_groupFirstSent, _groupLastSent, _groupLastArrived) = (packet.SentMicros, packet.SentMicros, packet.ArrivedMicros);
    }

    private void Update(double delayDeltaMillis, double sentDeltaMillis, long arrivedMicros)
    {
        if (_firstArrived < 0)
        {
            _firstArrived = arrivedMicros;
        }

        _deltas = Math.Min(_deltas + 1, 1000);
        _accumulated += delayDeltaMillis;
        _smoothed = (Smoothing * _smoothed) + ((1 - Smoothing) * _accumulated);
        _window.Enqueue(((arrivedMicros - _firstArrived) / 1000.0, _smoothed));
        if (_window.Count > WindowSize)
        {
            _window.Dequeue();
        }

        double trend = _window.Count == WindowSize ? Slope() : _previousTrend;
        Detect(trend, sentDeltaMillis, arrivedMicros / 1000.0);
    }

    private double Slope()
    {
        double meanX = 0, meanY = 0;
        foreach (var (x, y) in _window)
        {
            meanX += x;
            meanY += y;
        }

        meanX /= _window.Count;
        meanY /= _window.Count;
        double numerator = 0, denominator = 0;
        foreach (var (x, y) in _window)
        {
            numerator += (x - meanX) * (y - meanY);
            denominator += (x - meanX) * (x - meanX);
        }

        return denominator == 0 ? 0 : numerator / denominator;
    }

    private void Detect(double trend, double sentDeltaMillis, double nowMillis)
    {
        double modified = Math.Min(_deltas, 60) * trend * Gain;
        Trend = modified;
        if (modified > _threshold)
        {
            _overusingFor = _overusingFor < 0 ? sentDeltaMillis / 2 : _overusingFor + sentDeltaMillis;
            _overuses++;
            if (_overusingFor > OverusingMillis && _overuses > 1 && trend >= _previousTrend)
            {
                (_overusingFor, _overuses) = (0, 0);
                Usage = PathUsage.Overusing;
            }
        }
        else
        {
            (_overusingFor, _overuses) = (-1, 0);
            Usage = modified < -_threshold ? PathUsage.Underusing : PathUsage.Normal;
        }

        _previousTrend = trend;
        AdaptThreshold(modified, nowMillis);
    }

    /// <summary>The threshold follows the trend's size, slowly up and faster down, so jitter alone is not taken for a queue.</summary>
    private void AdaptThreshold(double modified, double nowMillis)
    {
        if (_lastThresholdUpdate < 0)
        {
            _lastThresholdUpdate = nowMillis;
        }

        double size = Math.Abs(modified);
        if (size > _threshold + 15)
        {
            _lastThresholdUpdate = nowMillis; // a spike: not learnt from
            return;
        }

        double k = size < _threshold ? ThresholdDown : ThresholdUp;
        double elapsed = Math.Min(nowMillis - _lastThresholdUpdate, 100);
        _threshold = Math.Clamp(_threshold + (k * (size - _threshold) * elapsed), 6, 600);
        _lastThresholdUpdate = nowMillis;
    }
}
