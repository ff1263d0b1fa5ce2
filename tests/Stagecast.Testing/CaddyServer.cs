using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Stagecast.Testing;

/// <summary>
/// Debian's Caddy in front of a Stagecast server, with the shipped deploy/Caddyfile (imported by a test Caddyfile that
/// sets loopback ports, keeps its state in a temporary folder and, by default, issues from Caddy's internal CA; with an
/// ACME directory instead, from that CA). Stopped on dispose.
/// </summary>
public sealed class CaddyServer : IAsyncDisposable
{
    private readonly ExternalProcess _process;
    private readonly string _directory;

    private CaddyServer(ExternalProcess process, string directory, string domain, int httpsPort)
    {
        _process = process;
        _directory = directory;
        Domain = domain;
        HttpsPort = httpsPort;
    }

    public string Domain { get; }

    public int HttpsPort { get; }

    public string Log => _process.StandardOutput + _process.StandardError;

    /// <summary>The public URL of a name it serves (the domain, or <c>api.</c>/<c>socket-edge.</c> of it).</summary>
    public string Url(string? prefix = null) => $"https://{prefix}{Domain}:{HttpsPort}";

    /// <summary>
    /// The names deploy/Caddyfile serves, under the domain: its own, the two the SDK calls, the four it reports telemetry
    /// to. From its own CA Caddy holds them all at once; through ACME the tests wait for the first three, which they use.
    /// </summary>
    private static readonly string[] Prefixes = ["", "api.", "socket-edge.", "location.", "location-legacy.", "da-collector.", "api-silos."];

    /// <summary>The root certificate of Caddy's internal CA (the issuer when no ACME directory was given).</summary>
    public X509Certificate2 InternalRoot => X509CertificateLoader.LoadCertificateFromFile(Path.Combine(_directory, "data", "pki", "authorities", "local", "root.crt"));

    /// <param name="upstream">Where Stagecast listens for HTTP (host:port).</param>
    /// <param name="acme">An ACME directory URL and the PEM file of the CA that serves it (pebble), or null for Caddy's internal CA.</param>
    /// <param name="httpsPort">The port it serves HTTPS on (chosen before Stagecast starts, for its --public-url).</param>
    public static async Task<CaddyServer> StartAsync(string domain, string upstream, int httpsPort, (string Directory, string RootPem)? acme = null)
    {
        string directory = Directory.CreateTempSubdirectory("stagecast-caddy-").FullName;
        int httpPort = FreePorts.Next();
        string issuer = acme is { } ca ? $"acme_ca {ca.Directory}\n\tacme_ca_root {ca.RootPem}\n\temail tests@stagecast.example" : "local_certs";
        string caddyfile = Path.Combine(directory, "Caddyfile");
        await File.WriteAllTextAsync(caddyfile, $$"""
            {
            	http_port {{httpPort.ToString(CultureInfo.InvariantCulture)}}
            	https_port {{httpsPort.ToString(CultureInfo.InvariantCulture)}}
            	{{issuer}}
            	skip_install_trust
            	admin off
            	storage file_system {{Path.Combine(directory, "data")}}
            }
            import {{Path.Combine(Browser.RepositoryRoot(), "deploy", "Caddyfile")}}
            """);
        var process = ExternalProcess.Start("caddy", ["run", "--config", caddyfile, "--adapter", "caddyfile"],
            new Dictionary<string, string> { ["STAGECAST_DOMAIN"] = domain, ["STAGECAST_UPSTREAM"] = upstream, ["HOME"] = directory, ["XDG_DATA_HOME"] = directory });
        var caddy = new CaddyServer(process, directory, domain, httpsPort);
        try
        {
            await Eventually.TrueAsync(() => process.HasExited
                ? throw new InvalidOperationException($"caddy exited: {caddy.Log}")
                : Directory.Exists(Path.Combine(directory, "data", "certificates"))
                  && Directory.GetFiles(Path.Combine(directory, "data", "certificates"), "*.crt", SearchOption.AllDirectories).Select(Path.GetFileName)
                      .ToHashSet(StringComparer.Ordinal).IsSupersetOf(Prefixes.Take(acme is null ? Prefixes.Length : 3).Select(p => $"{p}{domain}.crt")),
                // ACME's rounds with pebble take minutes on a busy machine; its own CA's certificates once took over 60 s
                // beside the full suite.
                "Caddy to hold its certificates", TimeSpan.FromSeconds(acme is null ? 120 : 180));

            // Written is not yet served: a handshake just after the files appeared once met "internal error" (no
            // certificate for the name yet).
            foreach (string name in Prefixes.Take(acme is null ? Prefixes.Length : 3).Select(p => $"{p}{domain}"))
            {
                await Eventually.TrueAsync(() => caddy.ServesAsync(name), $"Caddy to serve {name}'s certificate");
            }
        }
        catch
        {
            await caddy.DisposeAsync();
            throw;
        }

        return caddy;
    }

    /// <summary>Whether a TLS handshake for <paramref name="name"/> completes (any certificate: only that one is served).</summary>
    private async Task<bool> ServesAsync(string name)
    {
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, HttpsPort);
            await using var tls = new SslStream(tcp.GetStream());
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = name, RemoteCertificateValidationCallback = (_, _, _, _) => true });
            return true;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// A client that reaches every name of <see cref="Domain"/> at this Caddy on 127.0.0.1 (no DNS) and trusts
    /// <paramref name="root"/> alone; <paramref name="presented"/> is the last certificate the server showed.
    /// </summary>
    public SocketsHttpHandler Handler(X509Certificate2 root, Action<X509Certificate2>? presented = null) => new()
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(IPAddress.Loopback, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        },
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                {
                    return false;
                }

                var leaf = new X509Certificate2(certificate);
                presented?.Invoke(leaf);
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(root);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                chain.ChainPolicy.ExtraStore.AddRange(LoadIssuers());
                return chain.Build(leaf);
            },
        },
    };

    /// <summary>The intermediates Caddy's internal CA and ACME CAs sign with, as Caddy keeps them.</summary>
    private X509Certificate2Collection LoadIssuers()
    {
        var issuers = new X509Certificate2Collection();
        foreach (string file in Directory.GetFiles(Path.Combine(_directory, "data"), "*.crt", SearchOption.AllDirectories))
        {
            issuers.ImportFromPemFile(file);
        }

        return issuers;
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
