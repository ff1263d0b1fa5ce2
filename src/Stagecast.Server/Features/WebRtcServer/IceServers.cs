using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.WebRtcServer;

/// <summary>An RTCIceServer as browsers take it (<c>new RTCPeerConnection({ iceServers })</c>).</summary>
public sealed record IceServer(
    IReadOnlyList<string> Urls,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Username = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Credential = null);

/// <summary>
/// The STUN and TURN servers a client is told of (<see cref="TurnOptions"/>), with credentials made as the TURN REST
/// API and coturn's <c>use-auth-secret</c> expect them: username <c>"{expiry, Unix seconds}:{user}"</c>, credential
/// <c>base64(HMAC-SHA1(secret, username))</c>. The TURN server checks them without asking Stagecast and refuses them once
/// expired; its per-user quota (coturn's <c>user-quota</c>) counts allocations by the user after the colon. Each TURN
/// server's host and port also serve STUN.
/// </summary>
/// <remarks>
/// Who is a user: a participant (all its connections), a livestream (its WHIP publishers). Anonymous WHEP viewers get
/// STUN alone unless <see cref="TurnOptions.ViewerRelay"/>; then they all share the one user <see cref="ViewerUser"/>,
/// so together they hold at most one user's quota of the TURN server's allocations, whatever they ask, and the rest
/// stays the participants'. Issue 51: each WHEP offer was a new 24-hour user, and 24 of them held 975 of the shipped
/// coturn's 1,000 allocations.
/// </remarks>
public sealed class IceServers
{
    /// <summary>The TURN user every anonymous viewer's credential names.</summary>
    public const string ViewerUser = "viewers";

    private readonly TurnOptions _options;
    private readonly IReadOnlyList<TurnUrl> _turn;
    private readonly byte[] _secret;
    private readonly TimeProvider _time;
    private readonly ApiRateLimiter _viewerCredentials;

    public IceServers(IOptions<TurnOptions> options, TimeProvider time)
    {
        _options = options.Value;
        _turn = _options.GetUrls();
        _secret = Encoding.UTF8.GetBytes(_options.Secret ?? "");
        _time = time;
        _viewerCredentials = new ApiRateLimiter(time, _options.ViewerCredentialsPerMinute / 60.0, _options.ViewerCredentialsPerMinute);
    }

    /// <summary>The servers for <paramref name="user"/> (a participant, a livestream): none without TURN.</summary>
    public IReadOnlyList<IceServer> For(string user) => Servers(user, _options.CredentialLifetime);

    /// <summary>
    /// The servers for an anonymous viewer from <paramref name="address"/>: STUN alone, unless viewers are relayed
    /// (<see cref="TurnOptions.ViewerRelay"/>) and the address has asked no more than
    /// <see cref="TurnOptions.ViewerCredentialsPerMinute"/> times lately; then TURN too, as <see cref="ViewerUser"/>, for
    /// <see cref="TurnOptions.ViewerCredentialLifetime"/>.
    /// </summary>
    public IReadOnlyList<IceServer> ForViewer(string address) =>
        _options.ViewerRelay && _turn.Count > 0 && _viewerCredentials.TryAcquire(address)
            ? Servers(ViewerUser, _options.ViewerCredentialLifetime)
            : Stun();

    /// <summary>
    /// Servers as <c>Link</c> header values of a WHIP or WHEP answer (RFC 9725 section 4.6), one per URL:
    /// <c>&lt;turn:host:3478&gt;; rel="ice-server"; username="…"; credential="…"; credential-type="password"</c>.
    /// </summary>
    public static IEnumerable<string> LinkHeaders(IReadOnlyList<IceServer> servers) =>
        servers.SelectMany(server => server.Urls.Select(url => server.Username is null
            ? $"<{url}>; rel=\"ice-server\""
            : $"<{url}>; rel=\"ice-server\"; username=\"{server.Username}\"; credential=\"{server.Credential}\"; credential-type=\"password\""));

    private IReadOnlyList<IceServer> Servers(string user, TimeSpan lifetime)
    {
        if (_turn.Count == 0)
        {
            return [];
        }

        var (username, credential) = Credential(user, lifetime);
        IceServer turn = new([.. _turn.Select(u => u.ToString())], username, credential);
        return [.. Stun(), turn];
    }

    private IReadOnlyList<IceServer> Stun()
    {
        string[] stun = [.. _turn.Select(u => u.Stun).OfType<string>().Distinct()];
        return stun.Length > 0 ? [new IceServer(stun)] : [];
    }

    private (string Username, string Credential) Credential(string user, TimeSpan lifetime)
    {
        long expiry = (_time.GetUtcNow() + lifetime).ToUnixTimeSeconds();
        string username = $"{expiry.ToString(CultureInfo.InvariantCulture)}:{user}";
#pragma warning disable CA5350 // the TURN REST API's password is HMAC-SHA1 of the username, what coturn's use-auth-secret checks
        return (username, Convert.ToBase64String(HMACSHA1.HashData(_secret, Encoding.UTF8.GetBytes(username))));
#pragma warning restore CA5350
    }
}
