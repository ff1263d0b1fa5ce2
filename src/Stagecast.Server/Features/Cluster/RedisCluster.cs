using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Api;
using Stagecast.Streaming;

namespace Stagecast.Server.Features.Cluster;

/// <summary>
/// The cluster through Redis. A meeting is owned the same way as a stream (lease "meeting:{id}"): its room, channel
/// and media live on one node, and requests reaching another node are forwarded there. Each node keeps a heartbeat key (<c>stagecast:node:{id}</c>, its URL and load) and, for
/// each stream it owns, a lease (<c>stagecast:stream:{id}:owner</c> = "node|epoch|url"), both living
/// <see cref="ClusterOptions.LeaseTime"/> and renewed every <see cref="ClusterOptions.RenewInterval"/>. A lease is
/// taken atomically (a Lua script) with a new fencing epoch from <c>stagecast:stream:{id}:epoch</c>; a node that finds
/// its lease taken by another stops the stream. When a node's heartbeat disappears, the live node with the smallest
/// id ends what the dead node left open (each <see cref="IDeadNodeRecovery"/>).
/// </summary>
public sealed partial class RedisCluster : BackgroundService, IStreamOwnership, IHubStreamObserver, IStartupTask, IHealthProbe
{
    private const string Prefix = "stagecast:";

    // KEYS: owner, epoch. ARGV: node, url, lease ms. Returns {granted, "node|epoch|url"}.
    private const string AcquireScript = """
        local current = redis.call('GET', KEYS[1])
        if current then
          if string.sub(current, 1, string.len(ARGV[1]) + 1) == ARGV[1] .. '|' then
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            return {1, current}
          end
          return {0, current}
        end
        local epoch = redis.call('INCR', KEYS[2])
        local value = ARGV[1] .. '|' .. epoch .. '|' .. ARGV[2]
        redis.call('SET', KEYS[1], value, 'PX', ARGV[3])
        return {1, value}
        """;

    // KEYS: owner. ARGV: expected value, lease ms (renew) or nothing (release).
    private const string RenewScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          if ARGV[2] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
          return redis.call('DEL', KEYS[1])
        end
        return 0
        """;

    private readonly ConnectionMultiplexer _redis;
    private readonly ClusterOptions _options;
    private readonly NodeIdentity _node;
    private readonly StreamHub _hub;
    private readonly IServiceProvider _services;
    private readonly ListeningEndpoints _endpoints;
    private readonly ServerOptions _server;
    private readonly TimeProvider _time;
    private readonly ILogger<RedisCluster> _logger;
    private readonly ForwardedClients _clients;
    private readonly ConcurrentDictionary<string, HeldLease> _held = new();
    private readonly ConcurrentDictionary<string, (string Url, long At)> _owners = new();
    private readonly DateTimeOffset _startedAt;
    private TimeSpan _lastCpu;
    private long _lastCpuAt;
    private double _cpuPercent;

    public RedisCluster(
        IOptions<ClusterOptions> options, NodeIdentity node, StreamHub hub, IServiceProvider services, ListeningEndpoints endpoints, IOptions<ServerOptions> server,
        ForwardedClients clients, TimeProvider time, ILogger<RedisCluster> logger)
    {
        _clients = clients;
        _options = options.Value;
        _node = node;
        _hub = hub;
        _services = services;
        _endpoints = endpoints;
        _server = server.Value;
        _time = time;
        _logger = logger;
        _startedAt = time.GetUtcNow();
        _redis = ConnectionMultiplexer.Connect(RedisConnection.Configure(_options, node.Id));
    }

    private IDatabase Db => _redis.GetDatabase();

    private string LeaseMs => ((long)_options.LeaseTime.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);

    private string NodeUrl => _options.NodeUrl ?? $"http://{(_server.Bind is "0.0.0.0" or "::" ? Environment.MachineName : _server.Bind)}:{_endpoints.HttpEndPoint.Port}";

    public async ValueTask<StreamLease> AcquireAsync(string streamId, CancellationToken cancellationToken)
    {
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(AcquireScript,
            [Prefix + "stream:" + streamId + ":owner", Prefix + "stream:" + streamId + ":epoch"], [_node.Id, NodeUrl, LeaseMs]).ConfigureAwait(false))!;
        string value = result[1].ToString();
        var (owner, epoch, url) = Parse(value);
        if ((long)result[0] == 1)
        {
            _held[streamId] = new HeldLease(value, _time.GetTimestamp());
            _owners.TryRemove(streamId, out _);
            _node.SetEpoch(streamId, epoch);
            return new StreamLease(true, epoch, owner, null);
        }

        return new StreamLease(false, epoch, owner, url);
    }

    public async ValueTask<string?> RemoteOwnerUrlAsync(string streamId, CancellationToken cancellationToken)
    {
        if (_held.ContainsKey(streamId))
        {
            return null;
        }

        // Every forwarded part and playlist asks: another node's ownership is kept for a renew interval instead of a Redis
        // round trip each. "Nobody" is not kept: a stream starting elsewhere must be found at once.
        long now = _time.GetTimestamp();
        if (_owners.TryGetValue(streamId, out var known) && _time.GetElapsedTime(known.At, now) < _options.RenewInterval)
        {
            return known.Url;
        }

        var value = await Db.StringGetAsync(Prefix + "stream:" + streamId + ":owner").ConfigureAwait(false);
        if (value.IsNullOrEmpty)
        {
            return null;
        }

        var (owner, _, url) = Parse(value.ToString());
        if (owner == _node.Id)
        {
            return null;
        }

        _owners[streamId] = (url, now);
        return url;
    }

    /// <summary>Ids of the nodes whose heartbeat lives.</summary>
    public async Task<IReadOnlyCollection<string>> LiveNodesAsync(CancellationToken cancellationToken) =>
        (await ListNodesAsync(cancellationToken).ConfigureAwait(false)).Select(n => n.Id).ToList();

    public async Task<IReadOnlyList<ClusterNodeInfo>> ListNodesAsync(CancellationToken cancellationToken)
    {
        var keys = new List<RedisKey>();
        foreach (var endpoint in _redis.GetEndPoints())
        {
            await foreach (var key in _redis.GetServer(endpoint).KeysAsync(pattern: Prefix + "node:*").WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                keys.Add(key);
            }
        }

        var values = keys.Count == 0 ? [] : await Db.StringGetAsync([.. keys]).ConfigureAwait(false);
        return values.Where(v => !v.IsNullOrEmpty).Select(v => ClusterNodeInfo.FromJson(v.ToString(), _node.Id)).OrderBy(n => n.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>For <c>/healthz</c>: whether Redis is connected.</summary>
    public string Name => "redis";

    public Task<bool> ReachesAsync(CancellationToken cancellationToken) => Task.FromResult(_redis.IsConnected);

    /// <summary>At start: Redis refusing this node, or not answering, stops the start (<see cref="RedisConnection.CheckAsync"/>).</summary>
    public Task RunAsync(CancellationToken cancellationToken) => RedisConnection.CheckAsync(_options, _node.Id);

    public void OnStreamEnded(HubStream stream)
    {
        if (_held.TryRemove(stream.Id, out var lease))
        {
            _ = ReleaseAsync(stream.Id, lease.Value);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _hub.AddObserver(this);
        await ListenAsync().ConfigureAwait(false);
        HashSet<string>? previous = null;
        using var timer = new PeriodicTimer(_options.RenewInterval, _time);
        do
        {
            try
            {
                ForgetOldOwners();
                await HeartbeatAsync().ConfigureAwait(false);
                await RenewLeasesAsync().ConfigureAwait(false);
                var nodes = await ListNodesAsync(stoppingToken).ConfigureAwait(false);
                _clients.Refresh(nodes);
                var live = nodes.Select(n => n.Id).ToHashSet();
                if ((previous is null || previous.Except(live).Any()) && live.Count > 0 && live.Min(StringComparer.Ordinal) == _node.Id)
                {
                    await RecoverDeadNodesAsync(live, stoppingToken).ConfigureAwait(false);
                }

                previous = live;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or System.Data.Common.DbException)
            {
                Log.ClusterFailed(_logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        // A clean stop hands everything over at once instead of after the lease time.
        foreach (var (streamId, lease) in _held)
        {
            await ReleaseAsync(streamId, lease.Value).ConfigureAwait(false);
        }

        try
        {
            await Db.KeyDeleteAsync(Prefix + "node:" + _node.Id).ConfigureAwait(false);
        }
        catch (RedisException ex)
        {
            Log.ClusterFailed(_logger, ex); // the heartbeat expires on its own
        }

        await _redis.CloseAsync().ConfigureAwait(false);
        _redis.Dispose();
    }

    private Task<bool> HeartbeatAsync()
    {
        long now = _time.GetTimestamp();
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        if (_lastCpuAt != 0)
        {
            _cpuPercent = (cpu - _lastCpu).TotalSeconds / _time.GetElapsedTime(_lastCpuAt, now).TotalSeconds * 100 / Environment.ProcessorCount;
        }

        (_lastCpu, _lastCpuAt) = (cpu, now);
        var info = new ClusterNodeInfo(_node.Id, NodeUrl, _hub.Streams.Select(s => s.Id).Order(StringComparer.Ordinal).ToList(), Math.Round(_cpuPercent, 1),
            Environment.WorkingSet / (1024 * 1024), _startedAt, Self: true);
        return Db.StringSetAsync(Prefix + "node:" + _node.Id, info.ToJson(), _options.LeaseTime);
    }

    /// <summary>The owners looked up for forwarding are kept one renew interval: any id a request names is, so they are dropped after it.</summary>
    private void ForgetOldOwners()
    {
        foreach (var (streamId, known) in _owners)
        {
            if (_time.GetElapsedTime(known.At) >= _options.RenewInterval)
            {
                _owners.TryRemove(streamId, out _);
            }
        }
    }

    private async Task RenewLeasesAsync()
    {
        foreach (var (streamId, lease) in _held)
        {
            if (!IsRunningHere(streamId) && _time.GetElapsedTime(lease.AcquiredAt) > _options.LeaseTime)
            {
                // Taken for a publish (or a meeting) that never became a stream (a room) here, or has ended.
                _held.TryRemove(streamId, out _);
                await ReleaseAsync(streamId, lease.Value).ConfigureAwait(false);
                continue;
            }

            if ((long)await Db.ScriptEvaluateAsync(RenewScript, [Prefix + "stream:" + streamId + ":owner"], [lease.Value, LeaseMs]).ConfigureAwait(false) == 0)
            {
                // Another node owns the stream now (this node was cut off longer than a lease): stop writing to it.
                _held.TryRemove(streamId, out _);
                Log.LeaseLost(_logger, streamId);
                if (!streamId.StartsWith(MeetingPrefix, StringComparison.Ordinal))
                {
                    _hub.Stop(streamId, "another node owns this stream now");
                }
            }
        }
    }

    /// <summary>Lease names of meetings (their rooms, channel and media) beside those of streams.</summary>
    public const string MeetingPrefix = "meeting:";

    private bool IsRunningHere(string name) => name.StartsWith(MeetingPrefix, StringComparison.Ordinal)
        ? _services.GetServices<ILocalMeetings>().Any(m => m.IsHere(name[MeetingPrefix.Length..]))
        : _hub.Find(name) is not null;

    private async Task ReleaseAsync(string streamId, string value)
    {
        try
        {
            await Db.ScriptEvaluateAsync(RenewScript, [Prefix + "stream:" + streamId + ":owner"], [value]).ConfigureAwait(false);
        }
        catch (RedisException ex)
        {
            Log.ClusterFailed(_logger, ex); // the lease expires on its own
        }
    }

    private async Task RecoverDeadNodesAsync(IReadOnlyCollection<string> live, CancellationToken cancellationToken)
    {
        foreach (var recovery in _services.GetServices<IDeadNodeRecovery>())
        {
            await recovery.RecoverAsync(live, cancellationToken).ConfigureAwait(false);
        }
    }

    private static (string Node, long Epoch, string Url) Parse(string value)
    {
        string[] parts = value.Split('|', 3);
        return (parts[0], long.Parse(parts[1], CultureInfo.InvariantCulture), parts[2]);
    }

    private sealed record HeldLease(string Value, long AcquiredAt);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Cluster coordination failed; retrying")]
        public static partial void ClusterFailed(ILogger logger, Exception exception);

        [LoggerMessage(2, LogLevel.Warning, "Lost the lease of stream {StreamId} to another node; stopping it here")]
        public static partial void LeaseLost(ILogger logger, string streamId);

        [LoggerMessage(3, LogLevel.Warning, "A request from node {Node} could not be answered")]
        public static partial void RequestFailed(ILogger logger, string node, Exception exception);
    }
}

/// <summary>A node as <c>GET /cluster/nodes</c> shows it, and as its heartbeat stores it (JSON).</summary>
public sealed record ClusterNodeInfo(string Id, string Url, IReadOnlyList<string> Streams, double CpuPercent, long RssMegabytes, DateTimeOffset StartedAt, bool Self)
{
    public string ToJson() => JsonSerializer.Serialize(this, ClusterJsonContext.Default.ClusterNodeInfo);

    public static ClusterNodeInfo FromJson(string json, string self)
    {
        var node = JsonSerializer.Deserialize(json, ClusterJsonContext.Default.ClusterNodeInfo)!;
        return node with { Self = node.Id == self };
    }
}
