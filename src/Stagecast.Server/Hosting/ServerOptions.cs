using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Stagecast.Server.Hosting;

/// <summary>Operator settings: flags, STAGECAST_* variables or the "Stagecast" configuration section.</summary>
public sealed class ServerOptions : IValidatableObject
{
    public const string Section = "Stagecast";

    [Range(0, 65535)]
    public int HttpPort { get; set; } = 8080;

    [Range(0, 65535)]
    public int RtmpPort { get; set; } = 1935;

    /// <summary>Address both listeners bind to.</summary>
    public string Bind { get; set; } = "0.0.0.0";

    private string _dataDir = Path.GetFullPath("data");

    /// <summary>
    /// Made absolute as it is read, against the working directory the server starts in, so every path derived from it
    /// (the database, the keys, the recordings) is absolute: ASP.NET resolves a relative file path against the web
    /// root, not the working directory, so a relative one served no recording.
    /// </summary>
    [Required]
    public string DataDir
    {
        get => _dataDir;
        set => _dataDir = string.IsNullOrWhiteSpace(value) ? value : Path.GetFullPath(value);
    }

    /// <summary>
    /// Proxies (addresses or CIDR networks, comma-separated) whose X-Forwarded-For, -Proto and -Host headers are taken
    /// for the client's; from anyone else those headers are ignored.
    /// </summary>
    public string? TrustedProxy { get; set; }

    public IReadOnlyList<IPNetwork> GetTrustedProxies() =>
        [.. (TrustedProxy ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParseNetwork).OfType<IPNetwork>()];

    /// <summary>"10.0.0.5" (one address) or "10.0.0.0/8".</summary>
    private static IPNetwork? ParseNetwork(string text) =>
        IPNetwork.TryParse(text, out var network) ? network
        : IPAddress.TryParse(text, out var address) ? new IPNetwork(address, address.GetAddressBytes().Length * 8)
        : null;

    /// <summary>The HTTP URL viewers and API clients reach the server at, e.g. https://live.example.com.</summary>
    public string? PublicUrl { get; set; }

    /// <summary>The RTMPS port, served with the HTTPS certificate; null: 1936 when there is one, none without.</summary>
    [Range(0, 65535)]
    public int? RtmpsPort { get; set; }

    /// <summary>The RTMPS URL encoders reach the server at, e.g. rtmps://live.example.com:443 (the "/live" app is appended).</summary>
    public string? RtmpsUrl { get; set; }

    /// <summary>The RTMP URL encoders reach the server at, e.g. rtmp://live.example.com (the "/live" app is appended).</summary>
    public string? RtmpUrl { get; set; }

    /// <summary>
    /// Where <c>/metrics</c> is served: an address and port of its own (default loopback only), never the public HTTP
    /// port, since its series name every live stream. <c>none</c> turns it off.
    /// </summary>
    public string MetricsBind { get; set; } = "127.0.0.1:9464";

    public IPAddress GetBindAddress() => IPAddress.Parse(Bind);

    /// <summary>The metrics listener's endpoint, or null when metrics are off.</summary>
    public IPEndPoint? GetMetricsEndPoint() => MetricsBind.Equals("none", StringComparison.OrdinalIgnoreCase) ? null : ParseEndPoint(MetricsBind);

    /// <summary>
    /// PostgreSQL for durable state (postgres://user:password@host:port/db), shared by the nodes of a cluster; without
    /// it, SQLite in the data directory.
    /// </summary>
    public string? DatabaseUrl { get; set; }

    public string DatabasePath => Path.Combine(DataDir, "stagecast.db");

    /// <summary>
    /// The free space the data directory's file system keeps (<see cref="DataDirectorySpace"/>): below it, files sent in
    /// chat are refused (507) so the database keeps the rest, and <c>/healthz</c> answers 503. Zero turns it off.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long DataDirMinFreeBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>
    /// Whether the pages of the server's files that its work touched are let go once it is listening and at each rest
    /// (<see cref="Transport.Epoll.FilePages"/>, <see cref="RestKeeper"/>): a release binary asked nothing yet holds
    /// 41 MiB instead of 71. Off only where the server shares its process with others (the tests' in-process servers).
    /// </summary>
    public bool GiveBackFilePages { get; set; } = true;

    /// <summary>
    /// How long the server is quiet (no request, no live stream, no meeting with participants) before it gives memory
    /// back (<see cref="RestKeeper"/>); zero: only once, at start.
    /// </summary>
    public TimeSpan RestAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The database these settings name: PostgreSQL at <see cref="DatabaseUrl"/>, else the data directory's SQLite file.</summary>
    public Database.SqlDatabase OpenDatabase() =>
        DatabaseUrl is { Length: > 0 } url ? new Database.PostgresDatabase(url) : new Database.SqliteDatabase(DatabasePath);

    /// <summary>"1.2.3.4:9464" or "[::1]:9464"; the port must be written (IPEndPoint alone would take "1.2.3.4" as port 0).</summary>
    private static IPEndPoint? ParseEndPoint(string text)
    {
        int colon = text.LastIndexOf(':');
        bool hasPort = colon > 0 && colon > text.LastIndexOf(']') && (text.StartsWith('[') || text.IndexOf(':') == colon);
        return hasPort && IPEndPoint.TryParse(text, out var endpoint) ? endpoint : null;
    }

    private static bool IsAbsolute(string url, params string[] schemes) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && schemes.Contains(uri.Scheme, StringComparer.OrdinalIgnoreCase);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (string proxy in (TrustedProxy ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (ParseNetwork(proxy) is null)
            {
                yield return new ValidationResult($"--trusted-proxy '{proxy}' must be an IP address or a network (10.0.0.0/8)", [nameof(TrustedProxy)]);
            }
        }

        if (RestAfter < TimeSpan.Zero)
        {
            yield return new ValidationResult($"Stagecast:RestAfter '{RestAfter}' must be zero (off) or more", [nameof(RestAfter)]);
        }

        if (!IPAddress.TryParse(Bind, out _))
        {
            yield return new ValidationResult($"--bind '{Bind}' is not an IP address", [nameof(Bind)]);
        }

        if (!MetricsBind.Equals("none", StringComparison.OrdinalIgnoreCase) && ParseEndPoint(MetricsBind) is null)
        {
            yield return new ValidationResult($"--metrics-bind '{MetricsBind}' must be ADDRESS:PORT (e.g. 127.0.0.1:9464) or none", [nameof(MetricsBind)]);
        }

        if (PublicUrl is not null && !IsAbsolute(PublicUrl, "http", "https"))
        {
            yield return new ValidationResult($"--public-url '{PublicUrl}' must be an absolute http(s) URL", [nameof(PublicUrl)]);
        }

        if (DatabaseUrl is { Length: > 0 } && !IsAbsolute(DatabaseUrl, "postgres", "postgresql"))
        {
            yield return new ValidationResult("--database-url must be postgres://USER:PASSWORD@HOST:PORT/DB", [nameof(DatabaseUrl)]);
        }

        if (RtmpsUrl is not null && !IsAbsolute(RtmpsUrl, "rtmps"))
        {
            yield return new ValidationResult($"--rtmps-url '{RtmpsUrl}' must be an absolute rtmps URL", [nameof(RtmpsUrl)]);
        }

        if (RtmpUrl is not null && !IsAbsolute(RtmpUrl, "rtmp", "rtmps"))
        {
            yield return new ValidationResult($"--rtmp-url '{RtmpUrl}' must be an absolute rtmp(s) URL", [nameof(RtmpUrl)]);
        }
    }
}
