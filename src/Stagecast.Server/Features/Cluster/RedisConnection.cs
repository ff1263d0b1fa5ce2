using StackExchange.Redis;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Features.Cluster;

/// <summary>
/// <c>--redis-url</c> as StackExchange.Redis's configuration: <c>redis://[[USER]:PASSWORD@]HOST:PORT</c> (ACL user and
/// password, or <c>requirepass</c>'s password alone), <c>rediss://</c> for TLS (the server's certificate checked against
/// the system's CAs, or <see cref="ClusterOptions.RedisCaCertificate"/>). Nothing here is ever logged with the password.
/// </summary>
public static class RedisConnection
{
    public static ConfigurationOptions Configure(ClusterOptions options, string nodeId)
    {
        var uri = new Uri(options.RedisUrl!);
        var configuration = new ConfigurationOptions
        {
            AbortOnConnectFail = false, // Redis restarting while the node runs is ridden out (the start checks it first: CheckAsync)
            ConnectTimeout = 5000,
            Ssl = uri.Scheme == "rediss",
            ClientName = "stagecast-" + nodeId,
        };
        configuration.EndPoints.Add(uri.DnsSafeHost, uri.Port);
        if (uri.UserInfo.Length > 0)
        {
            string[] user = uri.UserInfo.Split(':', 2);
            configuration.User = user.Length == 2 && user[0].Length > 0 ? Uri.UnescapeDataString(user[0]) : null;
            configuration.Password = Uri.UnescapeDataString(user[^1]);
        }

        if (configuration.Ssl && options.RedisCaCertificate is { Length: > 0 } ca)
        {
            configuration.TrustIssuer(ca);
        }

        return configuration;
    }

    /// <summary>Where Redis is, for messages: host and port, never the credentials.</summary>
    public static string Describe(ClusterOptions options)
    {
        var uri = new Uri(options.RedisUrl!);
        return $"{uri.Scheme}://{uri.Host}:{uri.Port}";
    }

    /// <summary>
    /// At start, before anything is recovered (which needs to know the live nodes): a Redis that refuses this node (no
    /// password, a wrong one, a TLS certificate not trusted) or does not answer stops the start with a message saying
    /// which. A connection of its own, made once, tells them apart: the node's own connection keeps retrying (Redis
    /// restarting while the node runs is ridden out), and what it reports last depends on timing.
    /// </summary>
    public static async Task CheckAsync(ClusterOptions options, string nodeId)
    {
        var probe = Configure(options, nodeId);
        probe.AbortOnConnectFail = true;
        try
        {
            await using var connection = await ConnectionMultiplexer.ConnectAsync(probe).ConfigureAwait(false);
        }
        catch (RedisConnectionException ex) when (ex.FailureType == ConnectionFailureType.AuthenticationFailure)
        {
            throw new StartupException($"Redis at {Describe(options)} refused this node: {Refusal(ex)}");
        }
        catch (RedisConnectionException ex)
        {
            throw new StartupException($"Redis at {Describe(options)} does not answer ({ex.FailureType}): a node needs it to start");
        }
    }

    private static string Refusal(RedisConnectionException ex) =>
        ex.InnerException is System.Security.Authentication.AuthenticationException tls
            ? $"its TLS certificate is not trusted ({tls.Message}); give its CA in Stagecast:Cluster:RedisCaCertificate"
            : ex.Message.Contains("NOAUTH", StringComparison.Ordinal)
                ? "it requires a password (give it in --redis-url: redis://:PASSWORD@HOST:PORT)"
                : ex.Message.Contains("WRONGPASS", StringComparison.Ordinal)
                    ? "wrong password (or user) in --redis-url"
                    : $"authentication failed ({ex.InnerException?.Message ?? ex.Message})";
}
