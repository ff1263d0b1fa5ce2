using Stagecast.Streaming.Limits;
using Microsoft.Extensions.Options;
using Stagecast.Hls;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Api;
using Stagecast.Server.Hosting.Database;
using System.Text.RegularExpressions;
using Stagecast.Server.Features.Participants;
using Stagecast.Server.Features.Realtime;
using Yarp.ReverseProxy.Forwarder;

namespace Stagecast.Server.Features.Cluster;

public static partial class ClusterFeature
{
    /// <summary>
    /// This node's identity, and with <c>--redis-url</c> the cluster: stream leases, the node registry, recovery of
    /// dead nodes' sessions, and playback requests forwarded to the node that owns the stream. Without it, one node
    /// that owns everything it is sent.
    /// </summary>
    public static IServiceCollection AddCluster(this IServiceCollection services, IConfiguration configuration, ServerOptions server)
    {
        services.AddOptions<ClusterOptions>().Bind(configuration.GetSection(ClusterOptions.Section)).ValidateWith<ClusterOptions, ClusterOptionsValidator>().ValidateOnStart();
        var options = configuration.GetSection(ClusterOptions.Section).Get<ClusterOptions>() ?? new ClusterOptions();
        string nodeId = options.NodeId is { Length: > 0 } id ? id : $"{Environment.MachineName}:{server.HttpPort}";
        services.AddSingleton(new OperatorEndpoint(ClusterNodesApi.Path, ClusterNodesApi.ListForOperatorAsync));
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
        services.AddSingleton<IStartupTask>(sp => sp.GetRequiredService<RedisCluster>());
        services.AddHostedService(sp => sp.GetRequiredService<RedisCluster>());
        services.AddHttpForwarder();
        return services;
    }

    /// <summary>
    /// LL-HLS and WHEP requests for a stream another node owns are forwarded there (YARP), so each stream has one packager and
    /// every node answers with the same playlists; so are a meeting's channel, media and API requests to the node its
    /// room lives on (the first node a participant of it reached). A request another node forwarded here counts as its
    /// client's (<see cref="ForwardedClients"/>). <c>GET /cluster/nodes</c> lists the nodes (<see cref="ClusterNodesApi"/>).
    /// </summary>
    public static WebApplication UseCluster(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<ClusterOptions>>().Value;
        app.MapClusterNodes();
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
        var tokens = app.Services.GetRequiredService<ParticipantTokens>();
        var clients = app.Services.GetRequiredService<ForwardedClients>();
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
            else if (path.StartsWithSegments(RealtimeEndpoint.Path) && ParticipantToken(context.Request) is { } token && tokens.Validate(token) is { } claims)
            {
                // The channel and meeting media: the meeting's node, or this one if no node has the meeting yet.
                var lease = await ownership.AcquireAsync(RedisCluster.MeetingPrefix + claims.MeetingId, context.RequestAborted).ConfigureAwait(false);
                owner = lease.OwnerUrl;
            }
            else if (ApiMeetingId().Match(path.Value ?? "") is { Success: true } meeting)
            {
                // The API on a meeting whose room lives on another node (its active session, livestream, recordings).
                owner = await ownership.RemoteOwnerUrlAsync(RedisCluster.MeetingPrefix + meeting.Groups[1].Value, context.RequestAborted).ConfigureAwait(false);
            }

            if (owner is not null)
            {
                // HttpTransformer.Default sets X-Forwarded-For to this request's client (replacing what the client sent).
                await forwarder.SendAsync(context, owner, client, ForwarderRequestConfig.Empty, HttpTransformer.Default).ConfigureAwait(false);
                return;
            }

            await next(context).ConfigureAwait(false);
        });
        return app;
    }

    private static string? ParticipantToken(HttpRequest request) =>
        request.Query["token"].LastOrDefault() is { Length: > 0 } query ? query : BearerToken.From(request);

    [GeneratedRegex("^/(?:client/v4/)?accounts/[^/]+/realtime/kit/[^/]+/meetings/([^/]+)(?:/|$)")]
    private static partial Regex ApiMeetingId();

    /// <summary>The stream id of a playback path, LL-HLS (/{id}/manifest/...) or WHEP (/{id}/whep, /{id}/whep/{session}), or null.</summary>
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
        bool playback = rest.StartsWith("/manifest/", StringComparison.Ordinal) || rest.SequenceEqual("/whep") || rest.StartsWith("/whep/", StringComparison.Ordinal);
        return playback ? value.Slice(1, slash).ToString() : null;
    }

    /// <summary>For /healthz: whether the database and (in a cluster) Redis answer.</summary>
    public static async Task<(bool Database, bool? Redis)> ReachesAsync(IServiceProvider services, CancellationToken cancellationToken) =>
        (await services.GetRequiredService<SqlDatabase>().PingAsync(cancellationToken).ConfigureAwait(false),
         services.GetService<RedisCluster>() is { } redis ? await redis.PingAsync().ConfigureAwait(false) : null);
}
