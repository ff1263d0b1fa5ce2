using System.Collections.Concurrent;
using System.Text.Json;
using StackExchange.Redis;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Cluster;

/// <summary>
/// Requests between nodes over Redis publish/subscribe: each node listens on <c>stagecast:node:{id}:requests</c> for
/// requests and on <c>stagecast:node:{id}:answers</c> for the answers to its own, matched by an id. Redis is trusted
/// with the cluster already (it names every node's URL); nothing else can ask a node anything this way.
/// </summary>
public sealed partial class RedisCluster : IMeetingNodes
{
    /// <summary>How long a node is given to answer: a group's change waits for it, and a live node answers in milliseconds.</summary>
    public static readonly TimeSpan AnswerTime = TimeSpan.FromSeconds(5);

    /// <summary>Bytes a request or an answer may have (a group of 51 meetings with their participants fits many times over).</summary>
    private const int MaxMessageBytes = 4 * 1024 * 1024;

    private readonly ConcurrentDictionary<string, TaskCompletionSource<NodeAnswer>> _asked = new(StringComparer.Ordinal);

    private static RedisChannel RequestsOf(string nodeId) => RedisChannel.Literal(Prefix + "node:" + nodeId + ":requests");

    private static RedisChannel AnswersOf(string nodeId) => RedisChannel.Literal(Prefix + "node:" + nodeId + ":answers");

    public async ValueTask<string?> OtherNodeOfAsync(string meetingId, CancellationToken cancellationToken)
    {
        if (_held.ContainsKey(MeetingPrefix + meetingId))
        {
            return null;
        }

        var value = await Reached(Db.StringGetAsync(Prefix + "stream:" + MeetingPrefix + meetingId + ":owner")).ConfigureAwait(false);
        if (value.IsNullOrEmpty)
        {
            return null;
        }

        string owner = Parse(value.ToString()).Node;
        return owner == _node.Id ? null : owner;
    }

    public async ValueTask<string?> ClaimAsync(string meetingId, CancellationToken cancellationToken)
    {
        var lease = await Reached(AcquireAsync(MeetingPrefix + meetingId, cancellationToken).AsTask()).ConfigureAwait(false);
        return lease.Granted ? null : lease.Owner;
    }

    public async Task<string> AskAsync(string nodeId, string request, CancellationToken cancellationToken)
    {
        string id = Guid.NewGuid().ToString("N");
        var answered = new TaskCompletionSource<NodeAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
        _asked[id] = answered;
        try
        {
            var message = new NodeRequest(id, _node.Id, request);
            if (await Reached(_redis.GetSubscriber().PublishAsync(RequestsOf(nodeId), JsonSerializer.Serialize(message, ClusterJsonContext.Default.NodeRequest))).ConfigureAwait(false) == 0)
            {
                throw new DomainException(DomainError.Unavailable, $"node {nodeId} is not listening; try again in a moment");
            }

            var answer = await answered.Task.WaitAsync(AnswerTime, _time, cancellationToken).ConfigureAwait(false);
            return answer.Status switch
            {
                null => answer.Body ?? "",
                _ when answer.Api => throw new ApiException(answer.Status.Value, answer.Message ?? ""),
                _ => throw new DomainException((DomainError)answer.Status.Value, answer.Message ?? ""),
            };
        }
        catch (TimeoutException)
        {
            throw new DomainException(DomainError.Unavailable, $"node {nodeId} did not answer within {AnswerTime.TotalSeconds:0} s; try again in a moment");
        }
        finally
        {
            _asked.TryRemove(id, out _);
        }
    }

    /// <summary>Redis not answering, as a request's refusal: 503, try again (the node's health says so too).</summary>
    private static async Task<T> Reached<T>(Task<T> call)
    {
        try
        {
            return await call.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            throw new DomainException(DomainError.Unavailable, "the cluster's Redis does not answer; try again in a moment");
        }
    }

    /// <summary>Listens for requests to this node and answers to its own.</summary>
    private async Task ListenAsync()
    {
        var subscriber = _redis.GetSubscriber();
        await subscriber.SubscribeAsync(AnswersOf(_node.Id), (channel, value) =>
        {
            if (Read(value, ClusterJsonContext.Default.NodeAnswer) is { } answer && _asked.TryGetValue(answer.Id, out var asked))
            {
                asked.TrySetResult(answer);
            }
        }).ConfigureAwait(false);
        await subscriber.SubscribeAsync(RequestsOf(_node.Id), (channel, value) =>
        {
            if (Read(value, ClusterJsonContext.Default.NodeRequest) is { } request)
            {
                _ = Task.Run(() => AnswerAsync(request)); // the subscriber's thread carries every message: never wait on it
            }
        }).ConfigureAwait(false);
    }

    private async Task AnswerAsync(NodeRequest request)
    {
        NodeAnswer answer;
        try
        {
            var handler = _services.GetService<INodeRequestHandler>() ?? throw new DomainException(DomainError.Unavailable, $"node {_node.Id} answers no requests");
            answer = new NodeAnswer(request.Id, await handler.AnswerAsync(request.Body, CancellationToken.None).ConfigureAwait(false), null, null, false);
        }
        catch (DomainException ex)
        {
            answer = new NodeAnswer(request.Id, null, (int)ex.Error, ex.Message, false);
        }
        catch (ApiException ex)
        {
            answer = new NodeAnswer(request.Id, null, ex.Status, ex.Message, true);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or System.Data.Common.DbException or RedisException or TimeoutException)
        {
            Log.RequestFailed(_logger, request.From, ex);
            answer = new NodeAnswer(request.Id, null, (int)DomainError.Unavailable, $"node {_node.Id} could not answer; try again in a moment", false);
        }

        try
        {
            await _redis.GetSubscriber().PublishAsync(AnswersOf(request.From), JsonSerializer.Serialize(answer, ClusterJsonContext.Default.NodeAnswer)).ConfigureAwait(false);
        }
        catch (RedisException ex)
        {
            Log.ClusterFailed(_logger, ex); // the asking node gives up after AnswerTime
        }
    }

    private T? Read<T>(RedisValue value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) where T : class
    {
        try
        {
            return value.Length() is > 0 and <= MaxMessageBytes ? JsonSerializer.Deserialize((byte[])value!, type) : null;
        }
        catch (JsonException ex)
        {
            Log.RequestFailed(_logger, "?", ex);
            return null;
        }
    }
}

/// <summary>A request from node <see cref="From"/>, answered on its answers channel under <see cref="Id"/>.</summary>
public sealed record NodeRequest(string Id, string From, string Body);

/// <summary>The answer to request <see cref="Id"/>: its body, or a refusal's status and message (an API refusal's when <see cref="Api"/>).</summary>
public sealed record NodeAnswer(string Id, string? Body, int? Status, string? Message, bool Api);
