using System.Net;
using Microsoft.Extensions.Options;
using Stagecast.Rtmp.Sessions;

namespace Stagecast.Server.Hosting;

/// <summary>
/// The URLs handed to API clients: <c>ingest_server</c> (RTMP, without the key), <c>playback_url</c> and the others.
/// Built from --public-url and --rtmp-url (ingest falls back to --public-url's host); without them, from the bound
/// ports and "localhost" (or the bind address when the server listens on one address only), over HTTPS when the
/// server has a certificate (browsers give a page the camera only in a secure context).
/// </summary>
public sealed class PublicUrls(IOptions<ServerOptions> options, IOptions<RtmpServerOptions> rtmp, ListeningEndpoints endpoints)
{
    public string HttpBase => options.Value.PublicUrl?.TrimEnd('/')
        ?? (endpoints.HttpsEndPoint is { } https ? $"https://{DefaultHost}:{https.Port}" : $"http://{DefaultHost}:{endpoints.HttpEndPoint.Port}");

    /// <summary>The ingest server of a livestream created for <paramref name="protocol"/> (rtmp or rtmps).</summary>
    public string IngestServerFor(string protocol) => protocol == "rtmps" && RtmpsIngestServer is { } rtmps ? rtmps : IngestServer;

    /// <summary>The RTMPS ingest server (without the key), or null when the server has no certificate.</summary>
    public string? RtmpsIngestServer
    {
        get
        {
            if (endpoints.RtmpsEndPoint is not { } rtmps)
            {
                return null;
            }

            string app = rtmp.Value.App;
            if (options.Value.RtmpsUrl is { } configured)
            {
                string trimmed = configured.TrimEnd('/');
                return trimmed.EndsWith("/" + app, StringComparison.Ordinal) ? trimmed : $"{trimmed}/{app}";
            }

            return $"rtmps://{IngestHost(options.Value.RtmpUrl ?? options.Value.PublicUrl)}:{rtmps.Port}/{app}";
        }
    }

    /// <summary>The RTMP ingest server (without the key): --rtmp-url, else --public-url's host on the RTMP port.</summary>
    public string IngestServer
    {
        get
        {
            string app = rtmp.Value.App;
            if (options.Value.RtmpUrl is { } configured)
            {
                string trimmed = configured.TrimEnd('/');
                return trimmed.EndsWith("/" + app, StringComparison.Ordinal) ? trimmed : $"{trimmed}/{app}";
            }

            return $"rtmp://{IngestHost(options.Value.PublicUrl)}:{endpoints.RtmpEndPoint.Port}/{app}";
        }
    }

    /// <summary>Where encoders reach the server: the host of the URL the operator named, else the default host.</summary>
    private string IngestHost(string? named) => named is null ? DefaultHost : new Uri(named).Host;

    /// <summary>The livestream's public playback URL: its id, never its key.</summary>
    public string PlaybackUrl(string livestreamId) => $"{HttpBase}/{livestreamId}/manifest/video.m3u8";

    /// <summary>The picture of the livestream's newest keyframe (<c>?width=</c> to scale it), public like the playback URL.</summary>
    public string ThumbnailUrl(string livestreamId) => $"{HttpBase}/{livestreamId}/thumbnail.jpg";

    /// <summary>Where a WebRTC encoder publishes (WHIP, RFC 9725) with the stream key as bearer token.</summary>
    public string WhipUrl(string livestreamId) => $"{HttpBase}/{livestreamId}/whip";

    /// <summary>The watch page: a player in the browser, to share (and to embed with <c>?embed=1</c>).</summary>
    public string WatchUrl(string livestreamId) => $"{HttpBase}/watch/{livestreamId}";

    /// <summary>Where a WebRTC player watches (WHEP), public like the playback URL.</summary>
    public string WhepUrl(string livestreamId) => $"{HttpBase}/{livestreamId}/whep";

    private string DefaultHost
    {
        get
        {
            var address = options.Value.GetBindAddress();
            if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
            {
                return "localhost";
            }

            return address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        }
    }
}
