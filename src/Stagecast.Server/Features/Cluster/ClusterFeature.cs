using Microsoft.Extensions.Options;
using Stagecast.Hls;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Api;
using Stagecast.Streaming.Limits;
using Yarp.ReverseProxy.Forwarder;

namespace Stagecast.Server.Features.Cluster;

public static class ClusterFeature
{
    /// <summary>
    /// This node's identity, and with <c>--redis-url</c> the cluster: stream leases, the node registry, recovery of
    /// dead nodes' sessions, and playback requests forwarded to the node that owns the stream. Without it, one node
    /// that owns everything it is sent.
    /// </summary>
    public static IServiceCollection AddCluster(this IServiceCollection services, IConfiguration configuration, ServerOptions server)
    {
        services.AddApiJson(ClusterJsonContext.Default);
        services.AddOptions<ClusterOptions>().Bind(configuration.GetSection(ClusterOptions.Section)).ValidateWith<ClusterOptions, ClusterOptionsValidator>().ValidateOnStart();
        var options = configuration.GetSection(ClusterOptions.Section).Get<ClusterOptions>() ?? new ClusterOptions();
        string nodeId = options.NodeId is { Length: > 0 } id ? id : $"{Environment.MachineName}:{server.HttpPort}";
        services.AddSingleton(new OperatorEndpoint(ClusterNodes.Path, ClusterNodes.ListForOperatorAsync));
        if (!options.Enabled)
        {
            services.AddSingleton(new NodeIdentity(nodeId));
            services.AddSingleton<IStreamOwnership, LocalStreamOwnership>();
            return services;
        }

        if (server.DatabaseUrl is not { Length: > 0 })
        {
            throw new StartupException("--redis-url needs --database-url: the nodes of a cluster share PostgreSQL");
        }

        services.AddSingleton(sp => new NodeIdentity(nodeId, ct => sp.GetRequiredService<RedisCluster>().LiveNodesAsync(ct)));
        services.AddSingleton<ForwardedClients>();
        services.AddSingleton<RedisCluster>();
        services.AddSingleton<IStreamOwnership>(sp => sp.GetRequiredService<RedisCluster>());
        services.AddSingleton<IMeetingNodes>(sp => sp.GetRequiredService<RedisCluster>());
        services.AddSingleton<IStartupTask>(sp => sp.GetRequiredService<RedisCluster>());
        services.AddSingleton<IHealthProbe>(sp => sp.GetRequiredService<RedisCluster>());
        services.AddHostedService(sp => sp.GetRequiredService<RedisCluster>());
        services.AddHttpForwarder();
        return services;
    }

    /// <summary>
    /// LL-HLS, WHEP and thumbnail requests for a stream another node owns are forwarded there (YARP), so each stream has one packager and
    /// every node answers with the same playlists; so are a meeting's requests (its channel, media and API, as the
    /// features that serve them say: <see cref="IMeetingRequests"/>) to the node its room lives on (the first node a
    /// participant of it reached). A request another node forwarded here counts as its client's
    /// (<see cref="ForwardedClients"/>). The operator's <c>GET /cluster/nodes</c> lists the nodes (<see cref="ClusterNodes"/>).
    /// </summary>
    public static WebApplication UseCluster(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<ClusterOptions>>().Value;
        if (!options.Enabled)
        {
            return app;
        }

        var client = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(3),
        });
        var forwarder = app.Services.GetRequiredService<IHttpForwarder>();
        var registry = app.Services.GetRequiredService<HlsStreamRegistry>();
        var hub = app.Services.GetRequiredService<Streaming.StreamHub>();
        var ownership = app.Services.GetRequiredService<IStreamOwnership>();
        var clients = app.Services.GetRequiredService<ForwardedClients>();
        var meetings = app.Services.GetServices<IMeetingRequests>().ToList();
        app.Use(async (context, next) =>
        {
            clients.Apply(context);
            string? owner = null;
            var path = context.Request.Path;
            if (PlaybackStreamId(path) is { } streamId)
            {
                bool local = registry.TryGet(streamId, out _) || hub.Find(streamId) is not null;
                owner = local ? null : await ownership.RemoteOwnerUrlAsync(streamId, context.RequestAborted).ConfigureAwait(false);
            }
            else if (meetings.Select(m => m.Match(context.Request)).FirstOrDefault(m => m is not null) is { } meeting)
            {
                // A participant arriving takes the meeting for this node if no node has it yet; the API only follows it.
                string lease = RedisCluster.MeetingPrefix + meeting.MeetingId;
                owner = meeting.Opens
                    ? (await ownership.AcquireAsync(lease, context.RequestAborted).ConfigureAwait(false)).OwnerUrl
                    : await ownership.RemoteOwnerUrlAsync(lease, context.RequestAborted).ConfigureAwait(false);
            }

            if (owner is not null)
            {
                await forwarder.SendAsync(context, owner, client, ForwarderRequestConfig.Empty, KeepHost.Instance).ConfigureAwait(false);
                return;
            }

            await next(context).ConfigureAwait(false);
        });
        return app;
    }

    /// <summary>
    /// <see cref="HttpTransformer.Default"/>'s forwarding (X-Forwarded-For set to this request's client, replacing what
    /// the client sent) with the client's Host kept: RealtimeKit's requests are routed by their host names, <c>api.</c>
    /// and <c>socket-edge.</c>.
    /// </summary>
    private sealed class KeepHost : HttpTransformer
    {
        public static readonly KeepHost Instance = new();

        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await Default.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
            proxyRequest.Headers.Host = httpContext.Request.Host.Value;
        }

        public override ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken) =>
            Default.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);

        public override ValueTask TransformResponseTrailersAsync(HttpContext httpContext, HttpResponseMessage proxyResponse, CancellationToken cancellationToken) =>
            Default.TransformResponseTrailersAsync(httpContext, proxyResponse, cancellationToken);
    }

    /// <summary>The stream id of a playback path, LL-HLS (/{id}/manifest/...), WHEP (/{id}/whep, /{id}/whep/{session}) or a thumbnail (/{id}/thumbnail.jpg), or null.</summary>
    private static string? PlaybackStreamId(PathString path)
    {
        var value = path.Value.AsSpan();
        if (value.Length < 2 || value[0] != '/')
        {
            return null;
        }

        int slash = value[1..].IndexOf('/');
        if (slash <= 0)
        {
            return null;
        }

        var rest = value[(slash + 1)..];
        bool playback = rest.StartsWith("/manifest/", StringComparison.Ordinal) || rest.SequenceEqual("/whep") || rest.StartsWith("/whep/", StringComparison.Ordinal)
            || rest.SequenceEqual("/thumbnail.jpg");
        return playback ? value.Slice(1, slash).ToString() : null;
    }
}
