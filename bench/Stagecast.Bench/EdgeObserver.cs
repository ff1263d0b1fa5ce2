using System.Diagnostics;
using System.Globalization;
using Stagecast.Media.Flv;

namespace Stagecast.Bench;

/// <summary>
/// Watches one stream's playlist from the outside and measures, for every part (Stagecast) or segment (nginx)
/// that appears, the time from the moment its last video frame was handed to the server to the moment the
/// playlist listed it. Also measures the time from publish start to the first playable playlist. With
/// <c>fetchParts</c> it downloads every part it sees listed, as a player does (the soak's viewers); without a
/// <c>publisher</c> (a stream published from elsewhere, WHIP) it follows and fetches but measures no delays.
/// </summary>
public sealed class EdgeObserver(HttpClient http, ReplayPublisher? publisher, string playbackUrl, bool lowLatency, bool fetchParts = false)
{
    private readonly List<double> _delaysMs = [];
    private readonly Dictionary<long, double> _endSeconds = [];
    private readonly List<(long At, double LagSeconds)> _lags = [];
    private double _listedMediaSeconds;

    public double? FirstPlayableMs { get; private set; }

    /// <summary>Parts downloaded and their bytes (with <c>fetchParts</c>).</summary>
    public long PartsFetched { get; private set; }

    public long BytesFetched { get; private set; }

    /// <summary>The longest wait for the playlist to list something new, in ms: a stalled stream shows here.</summary>
    public double LongestGapMs { get; private set; }

    public string? Error { get; private set; }

    public IReadOnlyList<double> DelaysMs
    {
        get
        {
            lock (_delaysMs)
            {
                return [.. _delaysMs];
            }
        }
    }

    /// <summary>
    /// How much the live edge fell behind real time between the two halves of a window: the smallest lag (time
    /// since publish start minus media listed) seen in each half, so that a server listing whole segments is
    /// judged right after each listing, as one listing parts is. Near zero when the server keeps pace.
    /// </summary>
    public double? LagGrowthSeconds(long from, long to)
    {
        long middle = from + ((to - from) / 2);
        lock (_delaysMs)
        {
            var first = _lags.Where(l => l.At >= from && l.At < middle).Select(l => l.LagSeconds).DefaultIfEmpty(double.NaN).Min();
            var second = _lags.Where(l => l.At >= middle && l.At <= to).Select(l => l.LagSeconds).DefaultIfEmpty(double.NaN).Min();
            return double.IsNaN(first) || double.IsNaN(second) ? null : second - first;
        }
    }

    public void ClearDelays()
    {
        lock (_delaysMs)
        {
            _delaysMs.Clear();
            _lags.Clear();
        }
    }

    public async Task RunAsync(CancellationToken stop)
    {
        try
        {
            string mediaUrl = await WaitForFirstPlaylistAsync(stop);
            if (lowLatency)
            {
                await FollowPartsAsync(mediaUrl, stop);
            }
            else
            {
                await PollSegmentsAsync(mediaUrl, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Error = ex.Message;
        }
    }

    private async Task<string> WaitForFirstPlaylistAsync(CancellationToken stop)
    {
        while (true)
        {
            using var response = await http.GetAsync(playbackUrl, stop);
            string body = response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync(stop) : "";
            if (lowLatency ? response.IsSuccessStatusCode : body.Contains("#EXTINF", StringComparison.Ordinal))
            {
                FirstPlayableMs = publisher is null ? null : Stopwatch.GetElapsedTime(publisher.StartedAt).TotalMilliseconds;
                return lowLatency ? new Uri(new Uri(playbackUrl), body.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]).ToString() : playbackUrl;
            }

            await Task.Delay(10, stop);
        }
    }

    /// <summary>Stagecast: blocking reloads for the next part, as hls.js does in low-latency mode.</summary>
    private async Task FollowPartsAsync(string mediaUrl, CancellationToken stop)
    {
        var playlist = MediaPlaylist.Parse(await http.GetStringAsync(mediaUrl, stop));
        Account(playlist, record: false);
        long lastNew = Stopwatch.GetTimestamp();
        while (!stop.IsCancellationRequested)
        {
            var (msn, part) = playlist.NextPart;
            string text = await http.GetStringAsync($"{mediaUrl}?_HLS_msn={msn}&_HLS_part={part}", stop);
            long listedAt = Stopwatch.GetTimestamp();
            playlist = MediaPlaylist.Parse(text);
            var added = Account(playlist, record: true, listedAt);
            if (added.Count > 0)
            {
                LongestGapMs = Math.Max(LongestGapMs, Stopwatch.GetElapsedTime(lastNew, listedAt).TotalMilliseconds);
                lastNew = listedAt;
            }

            foreach (string uri in added)
            {
                if (fetchParts)
                {
                    byte[] media = await http.GetByteArrayAsync(new Uri(new Uri(mediaUrl), uri), stop);
                    PartsFetched++;
                    BytesFetched += media.Length;
                }
            }
        }
    }

    /// <summary>nginx: poll the playlist file every 10 ms; a new segment counts as listed when first seen.</summary>
    private async Task PollSegmentsAsync(string playlistUrl, CancellationToken stop)
    {
        bool first = true;
        while (!stop.IsCancellationRequested)
        {
            string text = await http.GetStringAsync(playlistUrl, stop);
            long listedAt = Stopwatch.GetTimestamp();
            Account(MediaPlaylist.Parse(text), record: !first, listedAt);
            first = false;
            await Task.Delay(10, stop);
        }
    }

    /// <summary>Extends the timeline with items not seen before, records their listing delays and returns their URIs.</summary>
    private List<string> Account(MediaPlaylist playlist, bool record, long listedAt = 0)
    {
        var added = new List<string>();
        foreach (var (number, duration, uri) in Items(playlist))
        {
            if (_endSeconds.ContainsKey(number))
            {
                continue;
            }

            added.Add(uri);
            _endSeconds.Remove(number - 1000);

            double start = _endSeconds.TryGetValue(number - 1, out double previous) ? previous : _listedMediaSeconds;
            double end = start + duration;
            _endSeconds[number] = end;
            _listedMediaSeconds = Math.Max(_listedMediaSeconds, end);
            if (record && SentAt(end * 1000) is { } sentAt)
            {
                lock (_delaysMs)
                {
                    _delaysMs.Add(Stopwatch.GetElapsedTime(sentAt, listedAt).TotalMilliseconds);
                    _lags.Add((listedAt, Stopwatch.GetElapsedTime(publisher!.StartedAt, listedAt).TotalSeconds - _listedMediaSeconds));
                }
            }
        }

        return added;
    }

    /// <summary>
    /// What the timeline is made of: the parts when listed (Stagecast), numbered stream-wide by their URIs
    /// (<c>part{n}.m4s</c>), and segments listed without parts (nginx; Stagecast's older ones) by their sequence numbers.
    /// </summary>
    private static IEnumerable<(long Number, double Duration, string Uri)> Items(MediaPlaylist playlist) =>
        playlist.Segments.Where(s => s.Parts == 0).Select(s => (s.Msn, s.Duration, ""))
            .Concat(playlist.Parts.Select(p => (long.Parse(p.Uri[4..^4], CultureInfo.InvariantCulture), p.Duration, p.Uri)));

    /// <summary>When the last video frame before <paramref name="endMs"/> (the item's last frame) was sent.</summary>
    private long? SentAt(double endMs)
    {
        if (publisher is null)
        {
            return null;
        }

        var clip = publisher.Clip;
        int loopIndex = (int)(endMs / clip.LoopDurationMs);
        for (int l = loopIndex; l >= Math.Max(0, loopIndex - 1); l--)
        {
            var loop = clip.LoopAt(l);
            if (!publisher.SendLog!.TryGetValue(l, out var log))
            {
                continue;
            }

            for (int tag = loop.Timestamps.Length - 1; tag >= 0; tag--)
            {
                if (clip.TypeOf(tag) == FlvTagType.Video && loop.Timestamps[tag] < endMs - 0.5 && log[tag] != 0)
                {
                    return log[tag];
                }
            }
        }

        return null;
    }
}
