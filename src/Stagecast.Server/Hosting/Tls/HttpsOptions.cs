using System.ComponentModel.DataAnnotations;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Hosting.Tls;

/// <summary>
/// HTTPS in the server: <c>--tls-cert</c> and <c>--tls-key</c> (PEM files; the certificate file may hold its chain
/// after it) turn on an HTTPS listener on <c>--https-port</c> (8443 by default), serving what HTTP serves (the API,
/// pages, playback, WHIP and WHEP, the realtime channel as WSS) over HTTP/1.1 and HTTP/2. The files are read again
/// when they change (certbot and Caddy renew them in place). <c>--https-redirect</c> answers HTTP with a redirect.
/// </summary>
public sealed class HttpsOptions : IValidatableObject
{
    public const string Section = "Stagecast:Https";

    public const int DefaultPort = 8443;

    /// <summary>The HTTPS port; null: <see cref="DefaultPort"/>.</summary>
    [Range(0, 65535)]
    public int? Port { get; set; }

    /// <summary>The certificate (PEM, leaf first, its chain after it).</summary>
    public string? Certificate { get; set; }

    /// <summary>The certificate's private key (PEM).</summary>
    public string? Key { get; set; }

    /// <summary>Whether plain HTTP answers every request (but health checks) with a redirect to HTTPS.</summary>
    public bool RedirectHttp { get; set; }

    /// <summary>How often the certificate's files are checked for a renewal.</summary>
    [Duration]
    public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromSeconds(10);

    public bool Enabled => Certificate is { Length: > 0 };

    public int GetPort() => Port ?? DefaultPort;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Certificate is { Length: > 0 } != Key is { Length: > 0 })
        {
            yield return new ValidationResult("--tls-cert and --tls-key go together: the certificate and its private key", [nameof(Certificate), nameof(Key)]);
        }

        if (RedirectHttp && !Enabled)
        {
            yield return new ValidationResult("--https-redirect needs --tls-cert and --tls-key (HTTPS to redirect to)", [nameof(RedirectHttp)]);
        }
    }
}
