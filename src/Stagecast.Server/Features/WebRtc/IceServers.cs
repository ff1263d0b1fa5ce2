using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace Stagecast.Server.Features.WebRtc;

/// <summary>An RTCIceServer as browsers take it (<c>new RTCPeerConnection({ iceServers })</c>).</summary>
public sealed record IceServer(
    IReadOnlyList<string> Urls,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Username = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Credential = null);

/// <summary>
/// The STUN and TURN servers a client is told of (<see cref="TurnOptions"/>), with credentials made as the TURN REST
/// API and coturn's <c>use-auth-secret</c> expect them: username <c>"{expiry, Unix seconds}:{user}"</c>, credential
/// <c>base64(HMAC-SHA1(secret, username))</c>. The TURN server checks them without asking Stagecast and refuses them once
/// expired. Each TURN server's host and port also serve STUN.
/// </summary>
public sealed class IceServers
{
    private readonly TurnOptions _options;
    private readonly IReadOnlyList<TurnUrl> _turn;
    private readonly byte[] _secret;
    private readonly TimeProvider _time;

    public IceServers(IOptions<TurnOptions> options, TimeProvider time)
    {
        _options = options.Value;
        _turn = _options.GetUrls();
        _secret = Encoding.UTF8.GetBytes(_options.Secret ?? "");
        _time = time;
    }

    /// <summary>The servers for <paramref name="user"/> (a participant, a livestream, a WebRTC session): none without TURN.</summary>
    public IReadOnlyList<IceServer> For(string user)
    {
        if (_turn.Count == 0)
        {
            return [];
        }

        var (username, credential) = Credential(user);
        IceServer turn = new([.. _turn.Select(u => u.ToString())], username, credential);
        string[] stun = [.. _turn.Select(u => u.Stun).OfType<string>().Distinct()];
        return stun.Length > 0 ? [new IceServer(stun), turn] : [turn];
    }

    /// <summary>
    /// The same servers as <c>Link</c> header values of a WHIP or WHEP answer (RFC 9725 section 4.6), one per URL:
    /// <c>&lt;turn:host:3478&gt;; rel="ice-server"; username="…"; credential="…"; credential-type="password"</c>.
    /// </summary>
    public IEnumerable<string> LinkHeaders(string user) =>
        For(user).SelectMany(server => server.Urls.Select(url => server.Username is null
            ? $"<{url}>; rel=\"ice-server\""
            : $"<{url}>; rel=\"ice-server\"; username=\"{server.Username}\"; credential=\"{server.Credential}\"; credential-type=\"password\""));

    private (string Username, string Credential) Credential(string user)
    {
        long expiry = (_time.GetUtcNow() + _options.CredentialLifetime).ToUnixTimeSeconds();
        string username = $"{expiry.ToString(CultureInfo.InvariantCulture)}:{user}";
#pragma warning disable CA5350 // the TURN REST API's password is HMAC-SHA1 of the username, what coturn's use-auth-secret checks
        return (username, Convert.ToBase64String(HMACSHA1.HashData(_secret, Encoding.UTF8.GetBytes(username))));
#pragma warning restore CA5350
    }
}
