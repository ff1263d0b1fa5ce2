using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Stagecast.Bench;

/// <summary>
/// The LL-HLS viewer ceiling (<c>bench/run.sh --scenario llhls [--counts 250,500,…] [--window S]</c>, Stagecast
/// alone): players of one 720p stream doing what hls.js does at the live edge, a blocking playlist reload for the part
/// after the last one it has, then that part, downloaded whole, again and again. Players are added in steps until a
/// part comes late. A part is late when a player has it more than one part target after the first player had it; a
/// step is healthy when no part was late, no request failed and every player fetched at least 90 % of the parts the
/// stream made in the window.
/// </summary>
public sealed class LlHlsViewersScenario(string repository, HttpClient http, string? binary = null)
{
    /// <summary>The steps as measured, for the smoke's checks (the report has them as a table).</summary>
    public List<LlHlsStep> Steps { get; } = [];

    public async Task<string> RunAsync(ChunkedClip clip, int[] steps, TimeSpan warmup, TimeSpan window)
    {
        await using var server = new StagecastServer(repository, http, binary);
        await server.StartAsync();
        return await RunAsync(server, clip, steps, warmup, window);
    }

    /// <summary>The steps on a server already started (the smoke's).</summary>
    public async Task<string> RunAsync(StagecastServer server, ChunkedClip clip, int[] steps, TimeSpan warmup, TimeSpan window)
    {
        await using var driver = new LoadDriver();
        var slot = (await server.CreateStreamsAsync(1))[0];
        await driver.AddAsync([new ReplayPublisher(slot.Key, clip, logSends: false)], "127.0.0.1", server.RtmpPort, "live");
        var (media, partTarget) = await MediaPlaylistAsync(slot.PlaybackUrl);

        var firstArrival = new ConcurrentDictionary<(long Msn, int Part), long>();
        var players = new List<Player>();
        using var stop = new CancellationTokenSource();
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"| LL-HLS players of one stream ({clip.Bitrate / 1e6:F1} Mbit/s, parts of {partTarget.TotalMilliseconds:F0} ms) | server CPU, % of one core | load tool CPU, % | parts per player (min / expected) | part spread p50 / p95 / max | late parts | failed requests | Gbit/s served | healthy |");
        report.AppendLine("|---|---|---|---|---|---|---|---|---|");
        try
        {
            foreach (int count in steps)
            {
                while (players.Count < count)
                {
                    players.Add(new Player(new Uri(media), firstArrival, stop.Token));
                }

                await Task.Delay(warmup);
                foreach (var player in players)
                {
                    player.Reset();
                }

                double cpuBefore = ProcessMeter.CpuSeconds(server.Pid);
                double toolBefore = ProcessMeter.ProcessCpuSeconds(Environment.ProcessId);
                var clock = Stopwatch.StartNew();
                await Task.Delay(window);
                double seconds = clock.Elapsed.TotalSeconds;
                double cpu = ProcessMeter.CpuSeconds(server.Pid) - cpuBefore;
                double tool = ProcessMeter.ProcessCpuSeconds(Environment.ProcessId) - toolBefore;
                var spreads = players.SelectMany(p => p.Spreads()).Order().ToArray();
                long minParts = players.Min(p => p.Parts);
                double expected = seconds / partTarget.TotalSeconds;
                long late = spreads.LongCount(s => s > partTarget.TotalMilliseconds);
                long failed = players.Sum(p => p.Failed);
                double gbps = players.Sum(p => p.Bytes) * 8 / seconds / 1e9;
                bool healthy = late == 0 && failed == 0 && minParts >= 0.9 * expected;
                string line = string.Create(CultureInfo.InvariantCulture,
                    $"| {count} | {100 * cpu / seconds:F0} | {100 * tool / seconds:F0} | {minParts} / {expected:F0} | {Quantile(spreads, 0.5):F0} / {Quantile(spreads, 0.95):F0} / {(spreads.Length > 0 ? spreads[^1] : double.NaN):F0} ms | {late} | {failed} | {gbps:F2} | {(healthy ? "yes" : "no")} |");
                Steps.Add(new LlHlsStep(count, minParts, failed, healthy));
                report.AppendLine(line);
                Console.WriteLine($"  {count} players: {line}");
                if (!healthy)
                {
                    break;
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(players.Select(p => p.Running));
        }

        return report.ToString();
    }

    private static double Quantile(double[] sorted, double q) => sorted.Length == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Length - 1, q * sorted.Length)];

    /// <summary>The media playlist of the multivariant one at <paramref name="playbackUrl"/>, once it lists parts, and its part target.</summary>
    private async Task<(string Url, TimeSpan PartTarget)> MediaPlaylistAsync(string playbackUrl)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                string multivariant = await http.GetStringAsync(playbackUrl);
                string media = new Uri(new Uri(playbackUrl), multivariant.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1]).ToString();
                var playlist = MediaPlaylist.Parse(await http.GetStringAsync(media));
                if (playlist.PartTarget is { } partTarget && playlist.Parts.Count > 3)
                {
                    return (media, TimeSpan.FromSeconds(partTarget));
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the stream's playlist never listed parts");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>
    /// One player at the live edge: blocking reload for the next part, then the part, in a loop, on one keep-alive
    /// connection. It speaks just enough HTTP/1.1 itself (a request, a head with a Content-Length, the body) and finds
    /// the part it wants in the playlist's bytes: with thousands of players in the load process, HttpClient and a
    /// playlist parsed into strings cost more CPU than the server, and it was the load tool that ran out first.
    /// </summary>
    private sealed class Player
    {
        private readonly Uri _media;
        private readonly string _directory;
        private readonly ConcurrentDictionary<(long Msn, int Part), long> _firstArrival;
        private readonly byte[] _buffer = new byte[256 * 1024];
        private readonly Lock _sync = new();
        private Socket? _socket;
        private List<double> _spreads = [];
        private long _parts;
        private long _bytes;
        private long _failed;

        public Player(Uri media, ConcurrentDictionary<(long Msn, int Part), long> firstArrival, CancellationToken stop)
        {
            _media = media;
            _directory = media.AbsolutePath[..(media.AbsolutePath.LastIndexOf('/') + 1)];
            _firstArrival = firstArrival;
            Running = Task.Run(() => RunAsync(stop));
        }

        public Task Running { get; }

        public long Parts => Interlocked.Read(ref _parts);

        public long Bytes => Interlocked.Read(ref _bytes);

        public long Failed => Interlocked.Read(ref _failed);

        /// <summary>For each part had since the last reset, how long after the first player had it (ms).</summary>
        public List<double> Spreads()
        {
            lock (_sync)
            {
                return [.. _spreads];
            }
        }

        public void Reset()
        {
            lock (_sync)
            {
                _spreads = [];
            }

            Interlocked.Exchange(ref _parts, 0);
            Interlocked.Exchange(ref _bytes, 0);
            Interlocked.Exchange(ref _failed, 0);
        }

        private async Task RunAsync(CancellationToken stop)
        {
            (long Msn, int Part)? last = null;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    string query = last is { } had ? $"?_HLS_msn={had.Msn}&_HLS_part={had.Part + 1}" : "";
                    int length = await GetAsync(_media.AbsolutePath + query, keepBody: true, stop);
                    var found = PartScan.Find(_buffer.AsSpan(0, length), last);
                    if (found.Next is not { } next)
                    {
                        // Fell out of the playlist (too slow) or nothing newer yet: start again at the newest part.
                        if (last is not null && !found.HadLast)
                        {
                            Interlocked.Increment(ref _failed);
                        }

                        last = !found.HadLast && found.Newest is { } newest ? (newest.Msn, newest.Index) : last;
                        continue;
                    }

                    string uri = Encoding.ASCII.GetString(_buffer, next.UriStart, next.UriLength);
                    Interlocked.Add(ref _bytes, await GetAsync(_directory + uri, keepBody: false, stop));
                    long now = Stopwatch.GetTimestamp();
                    long first = _firstArrival.GetOrAdd((next.Msn, next.Index), now);
                    lock (_sync)
                    {
                        _spreads.Add(Stopwatch.GetElapsedTime(first, now).TotalMilliseconds);
                    }

                    Interlocked.Increment(ref _parts);
                    last = (next.Msn, next.Index);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex) when (ex is SocketException or IOException or InvalidDataException)
                {
                    Interlocked.Increment(ref _failed);
                    _socket?.Dispose();
                    _socket = null;
                    last = null;
                }
            }

            _socket?.Dispose();
        }

        /// <summary>One GET on the player's connection; the body's length (kept at the start of the buffer when asked, else read and dropped).</summary>
        private async Task<int> GetAsync(string pathAndQuery, bool keepBody, CancellationToken stop)
        {
            if (_socket is null)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(_media.Host, _media.Port, stop);
                _socket = socket;
            }

            await _socket.SendAsync(Encoding.ASCII.GetBytes($"GET {pathAndQuery} HTTP/1.1\r\nHost: {_media.Authority}\r\n\r\n"), SocketFlags.None, stop);
            // A part's head is read alone (a few hundred bytes), so that its body can be dropped unread below.
            int readable = keepBody ? _buffer.Length : 1024;
            int filled = 0;
            int headEnd;
            while ((headEnd = _buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
            {
                filled += await ReceiveAsync(_buffer.AsMemory(filled, readable - filled), stop);
            }

            var head = _buffer.AsSpan(0, headEnd);
            int lengthAt = head.IndexOf("\r\nContent-Length: "u8);
            if (!head.StartsWith("HTTP/1.1 200 "u8) || lengthAt < 0
                || !Utf8Parser.TryParse(head[(lengthAt + 18)..], out int length, out _) || (keepBody && length > _buffer.Length))
            {
                throw new InvalidDataException($"unexpected answer: {Encoding.ASCII.GetString(head[..Math.Min(head.Length, 40)])}");
            }

            int had = filled - headEnd - 4;
            if (keepBody)
            {
                _buffer.AsSpan(headEnd + 4, had).CopyTo(_buffer);
                for (int got = had; got < length;)
                {
                    got += await ReceiveAsync(_buffer.AsMemory(got, length - got), stop);
                }
            }
            else
            {
                // The part's bytes are taken off the socket and dropped by the kernel (MSG_TRUNC), not copied out:
                // this tool shares the two cores with the server it measures.
                for (int got = had; got < length;)
                {
                    got += await ReceiveAsync(_buffer.AsMemory(0, Math.Min(_buffer.Length, length - got)), stop, SocketFlags.Truncated);
                }
            }

            return length;
        }

        private async Task<int> ReceiveAsync(Memory<byte> into, CancellationToken stop, SocketFlags flags = SocketFlags.None)
        {
            if (into.IsEmpty)
            {
                throw new InvalidDataException("a response head longer than the buffer");
            }

            int read = await _socket!.ReceiveAsync(into, flags, stop);
            return read > 0 ? read : throw new IOException("the server closed the connection");
        }
    }

    /// <summary>The parts a media playlist lists, found in its bytes: the one after a given part, and the newest.</summary>
    private static class PartScan
    {
        public readonly record struct Listed(long Msn, int Index, int UriStart, int UriLength);

        /// <summary>Whether <paramref name="last"/> is listed, the part after it (without one: the newest) and the newest.</summary>
        public static (bool HadLast, Listed? Next, Listed? Newest) Find(ReadOnlySpan<byte> playlist, (long Msn, int Part)? last)
        {
            long msn = 0;
            int index = 0;
            bool hadLast = false;
            bool takeNext = false;
            Listed? next = null;
            Listed? newest = null;
            int count = 0;
            int offset = 0;
            while (offset < playlist.Length)
            {
                int end = playlist[offset..].IndexOf((byte)'\n');
                var line = end < 0 ? playlist[offset..] : playlist.Slice(offset, end);
                int lineStart = offset;
                offset = end < 0 ? playlist.Length : offset + end + 1;
                if (line.StartsWith("#EXT-X-MEDIA-SEQUENCE:"u8))
                {
                    Utf8Parser.TryParse(line[22..], out msn, out _);
                }
                else if (line.StartsWith("#EXT-X-PART:"u8))
                {
                    int uri = line.IndexOf("URI=\""u8) + 5;
                    int uriLength = line[uri..].IndexOf((byte)'"');
                    var part = new Listed(msn, index++, lineStart + uri, uriLength);
                    count++;
                    if (takeNext)
                    {
                        next = part;
                        takeNext = false;
                    }

                    if (last is { } had && (had.Msn, had.Part) == (part.Msn, part.Index))
                    {
                        hadLast = true;
                        takeNext = true;
                    }

                    newest = part;
                }
                else if (line.Length > 0 && line[0] != '#' && line.Trim("\r"u8).Length > 0)
                {
                    msn++; // the segment's URI closes it
                    index = 0;
                }
            }

            // Without a part of its own a player starts at the newest, as long as the playlist lists more than one.
            return last is null ? (false, count > 1 ? newest : null, newest) : (hadLast, next, newest);
        }
    }
}

/// <summary>One step: players, the fewest parts one of them fetched in the window, failed requests, and the verdict.</summary>
public sealed record LlHlsStep(int Players, long MinParts, long Failed, bool Healthy);
