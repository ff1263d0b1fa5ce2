namespace Stagecast.Server.Hosting;

/// <summary>
/// This node: its id (<c>--node-id</c>; default host name and HTTP port), written on every live session, recording and
/// room stream it runs, and the other nodes alive now (none on a single node). Recovery ends what a dead node left
/// open and never what a live node runs.
/// </summary>
public sealed class NodeIdentity(string id, Func<CancellationToken, Task<IReadOnlyCollection<string>>>? liveNodes = null)
{
    public string Id => id;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _epochs = new();

    public bool IsClustered => liveNodes is not null;

    /// <summary>
    /// The ownership epoch under which this node publishes a stream (0 on a single node, where nobody else can). Kept
    /// after the stream ends, so its last writes carry it; replaced when the node owns the stream again.
    /// </summary>
    public long EpochOf(string streamId) => _epochs.TryGetValue(streamId, out long epoch) ? epoch : 0;

    public void SetEpoch(string streamId, long epoch) => _epochs[streamId] = epoch;

    /// <summary>Ids of the nodes alive now (their heartbeat is fresh), this one included once it has announced itself.</summary>
    public Task<IReadOnlyCollection<string>> LiveNodesAsync(CancellationToken cancellationToken) =>
        liveNodes?.Invoke(cancellationToken) ?? Task.FromResult<IReadOnlyCollection<string>>([]);

    /// <summary>
    /// At start: the nodes whose open work must be left alone, every live node but this one (what this node left
    /// open before a restart is stale even if its last heartbeat has not expired yet).
    /// </summary>
    public async Task<string[]> OtherLiveNodesAsync(CancellationToken cancellationToken) =>
        (await LiveNodesAsync(cancellationToken).ConfigureAwait(false)).Where(n => n != id).ToArray();
}
