using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Options;
using Stagecast.Streaming.Logging;

namespace Stagecast.Server.Hosting.Tls;

/// <summary>
/// The HTTPS listener's certificate, read from its PEM files and read again when they change: every
/// <see cref="HttpsOptions.ReloadInterval"/> the files are compared with what was loaded (by content, so a renewal that
/// swaps a symlink, as certbot's does, counts too), and new connections get the new certificate; a renewal caught
/// half-written keeps the old one until the files read whole.
/// </summary>
public sealed partial class ServerCertificate : IHostedService, IDisposable
{
    private readonly HttpsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ServerCertificate> _logger;
    private readonly LogLimiter _failures;
    private ITimer? _timer;
    private byte[] _loadedFrom = [];
    private SslStreamCertificateContext? _current;

    public ServerCertificate(IOptions<HttpsOptions> options, TimeProvider time, ILogger<ServerCertificate> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _failures = new LogLimiter(time);
        if (_options.Enabled)
        {
            // At construction (the first listener needs it): a certificate that cannot be read stops the start.
            try
            {
                Reload();
            }
            catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
            {
                throw new StartupException($"--tls-cert {_options.Certificate} with --tls-key {_options.Key} cannot be used: {ex.Message}");
            }
        }
    }

    /// <summary>The certificate new connections get, with its chain.</summary>
    public SslStreamCertificateContext Current => _current ?? throw new InvalidOperationException("HTTPS is not configured");

    /// <summary>The leaf certificate served now.</summary>
    public X509Certificate2 Leaf => Current.TargetCertificate;

    /// <summary>
    /// A listener's TLS: each connection takes the certificate as it is now (a renewal reaches new connections at
    /// once), with these ALPN protocols (none for RTMPS), within <paramref name="timeout"/>.
    /// </summary>
    public TlsHandshakeCallbackOptions Handshake(TimeSpan timeout, params SslApplicationProtocol[] protocols) => new()
    {
        OnConnection = _ => ValueTask.FromResult(new SslServerAuthenticationOptions
        {
            ServerCertificateContext = Current,
            ApplicationProtocols = protocols.Length > 0 ? [.. protocols] : null,
        }),
        HandshakeTimeout = timeout,
    };

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.Enabled)
        {
            _timer = _time.CreateTimer(_ => Check(), null, _options.ReloadInterval, _options.ReloadInterval);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();

    private void Check()
    {
        try
        {
            if (Reload())
            {
                Log.Reloaded(_logger, Leaf.Subject, Leaf.NotAfter.ToUniversalTime());
            }
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            if (_failures.TryLog(out _))
            {
                Log.ReloadFailed(_logger, ex.Message);
            }
        }
    }

    /// <summary>Loads the files if they differ from what is loaded; true when a new certificate was taken.</summary>
    private bool Reload()
    {
        byte[] certificatePem = File.ReadAllBytes(_options.Certificate!);
        byte[] keyPem = File.ReadAllBytes(_options.Key!);
        byte[] fingerprint = SHA256.HashData([.. certificatePem, .. keyPem]);
        if (fingerprint.AsSpan().SequenceEqual(_loadedFrom))
        {
            return false;
        }

        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(System.Text.Encoding.UTF8.GetString(certificatePem));
        if (chain.Count == 0)
        {
            throw new CryptographicException("the certificate file holds no PEM certificate");
        }

        using var leaf = X509Certificate2.CreateFromPem(System.Text.Encoding.UTF8.GetString(certificatePem), System.Text.Encoding.UTF8.GetString(keyPem));
        // On Linux a key imported from PEM is ephemeral, which SslStream takes; exported once so the context owns it.
        var served = X509CertificateLoader.LoadPkcs12(leaf.Export(X509ContentType.Pkcs12), null);
        var intermediates = new X509Certificate2Collection(chain.Skip(1).ToArray());
        Volatile.Write(ref _current, SslStreamCertificateContext.Create(served, intermediates, offline: true));
        _loadedFrom = fingerprint;
        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "The HTTPS certificate changed on disk and was reloaded: {Subject}, valid until {NotAfter:u}")]
        public static partial void Reloaded(ILogger logger, string subject, DateTime notAfter);

        [LoggerMessage(2, LogLevel.Warning, "The HTTPS certificate's files changed but cannot be read (kept the current one): {Reason}")]
        public static partial void ReloadFailed(ILogger logger, string reason);
    }
}
