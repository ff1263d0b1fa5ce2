using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.WebRtc;

/// <summary>
/// TURN with Debian's coturn (use-auth-secret, the TURN REST API): GET /iceservers hands participants STUN and TURN
/// servers with credentials coturn takes and refuses once expired; WHIP and WHEP answers carry them in Link headers;
/// two Chromium participants allowed only relayed candidates see and hear each other through coturn.
/// </summary>
[Collection(HeavyCollection.Name)]
public sealed partial class TurnTests : IAsyncLifetime
{
    private CoturnServer _turn = null!;

    public async Task InitializeAsync() => _turn = await CoturnServer.StartAsync();

    public async Task DisposeAsync() => await _turn.DisposeAsync();

    [Fact]
    public async Task AParticipantGetsStunAndTurnServersWithACredentialCoturnTakes()
    {
        await using var own = (await StartServerAsync()).AsAsyncDisposable(out var server);
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var ada = await api.AddParticipantAsync(meeting, "ada");

        var answer = await GetIceServersAsync(server, ada.Token);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var body = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement;
        Assert.True(body.GetProperty("success").GetBoolean());
        var servers = body.GetProperty("iceServers").EnumerateArray().ToList();
        Assert.Equal([$"stun:127.0.0.1:{_turn.Port}"], servers[0].GetProperty("urls").EnumerateArray().Select(u => u.GetString()));
        Assert.False(servers[0].TryGetProperty("username", out _));
        var turn = servers[1];
        Assert.Equal([_turn.Url, $"{_turn.Url}?transport=tcp"], turn.GetProperty("urls").EnumerateArray().Select(u => u.GetString()));
        string username = turn.GetProperty("username").GetString()!;
        string credential = turn.GetProperty("credential").GetString()!;
        var expiry = DateTimeOffset.FromUnixTimeSeconds(long.Parse(username.Split(':')[0]));
        Assert.InRange(expiry, DateTimeOffset.UtcNow.AddHours(23), DateTimeOffset.UtcNow.AddHours(25)); // 24 h by default
        Assert.Equal(ada.Id, username.Split(':')[1]);

        Assert.True(await _turn.AllocatesAsync(username, credential));
        Assert.False(await _turn.AllocatesAsync(username, credential[1..] + "A"));

        // Participants only: no token, an API token or a forged one get nothing.
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetIceServersAsync(server, null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetIceServersAsync(server, api.Token)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetIceServersAsync(server, ada.Token[..^2] + "xx")).StatusCode);

        // An app's page on another origin may ask (a bearer token, no cookies).
        using var preflight = new HttpRequestMessage(HttpMethod.Options, $"{server.HttpBase}/iceservers");
        preflight.Headers.Add("Origin", "https://app.example");
        preflight.Headers.Add("Access-Control-Request-Method", "GET");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization");
        var cors = await server.Http.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.NoContent, cors.StatusCode);
        Assert.Equal("*", cors.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task ACredentialPastItsLifetimeIsRefusedByCoturn()
    {
        await using var own = (await StartServerAsync("--set", "Stagecast:Turn:CredentialLifetime=00:00:02")).AsAsyncDisposable(out var server);
        var api = await server.NewTenantAsync();
        var ada = await api.AddParticipantAsync(await api.CreateMeetingAsync(), "ada");
        var turn = JsonDocument.Parse(await (await GetIceServersAsync(server, ada.Token)).Content.ReadAsStringAsync())
            .RootElement.GetProperty("iceServers")[1];
        string username = turn.GetProperty("username").GetString()!, credential = turn.GetProperty("credential").GetString()!;

        // Taken while valid, refused once its time is past (coturn reads the expiry in the username).
        Assert.True(await _turn.AllocatesAsync(username, credential));
        await Eventually.TrueAsync(async () => !await _turn.AllocatesAsync(username, credential), "coturn to refuse the expired credential");
    }

    [Fact]
    public async Task WhipAndWhepAnswersCarryTheTurnServerInLinkHeaders()
    {
        await using var own = (await StartServerAsync()).AsAsyncDisposable(out var server);
        var livestream = await (await server.NewTenantAsync()).CreateLivestreamAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{server.HttpBase}/{livestream.Id}/whip")
        {
            Content = new StringContent(WhepBrowserTests.SampleOffer.Replace("a=recvonly", "a=sendonly", StringComparison.Ordinal), Encoding.UTF8, "application/sdp"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", livestream.StreamKey);
        var answer = await server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, answer.StatusCode);

        // RFC 9725 section 4.6: one Link per URL, the credential on the TURN ones.
        var links = answer.Headers.GetValues("Link").ToList();
        Assert.Contains($"<stun:127.0.0.1:{_turn.Port}>; rel=\"ice-server\"", links);
        var turn = LinkCredential().Match(Assert.Single(links, l => l.StartsWith($"<{_turn.Url}>", StringComparison.Ordinal)));
        Assert.True(turn.Success);
        Assert.Equal(livestream.Id, turn.Groups["username"].Value.Split(':')[1]); // one TURN user (and quota) per livestream, not per session
        Assert.True(await _turn.AllocatesAsync(turn.Groups["username"].Value, turn.Groups["credential"].Value));
    }

    [Fact]
    public void ATurnUrlMustBeOneAndNeedsASecret()
    {
        static string Failure(TurnOptionsShape shape) =>
            new Stagecast.Server.Features.WebRtcServer.TurnOptionsValidator().Validate(null, new() { Urls = shape.Urls, Secret = shape.Secret }).FailureMessage ?? "";

        Assert.Contains("--turn-url 'http://turn.example.com' must be turn:HOST", Failure(new("http://turn.example.com", "0123456789abcdef")));
        Assert.Contains("--turn-url 'turns:turn.example.com?transport=udp' must be", Failure(new("turns:turn.example.com?transport=udp", "0123456789abcdef")));
        Assert.Contains("needs --turn-secret", Failure(new("turn:turn.example.com:3478", null)));
        Assert.Equal("", Failure(new("turn:turn.example.com:3478,turns:turn.example.com:443?transport=tcp,turn:[2001:db8::1]", "0123456789abcdef")));
    }

    [Fact]
    public async Task TwoChromiumParticipantsAllowedOnlyRelayedCandidatesSeeAndHearEachOtherThroughCoturn()
    {
        await using var own = (await StartServerAsync()).AsAsyncDisposable(out var server);
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        await using var browser = await Browser.LaunchAsync(Browser.WebRtcArgs);
        var pages = new List<(IPage Page, string Id)>();
        foreach (string name in new[] { "ada", "bob" })
        {
            var participant = await api.AddParticipantAsync(meeting, name);
            var page = await browser.OpenAsync("client.html");
            var joined = await page.EvaluateAsync<JsonElement>("([s, t, n]) => start(s, t, n, true, { iceTransportPolicy: 'relay' })",
                new object?[] { server.HttpBase, participant.Token, name });
            pages.Add((page, joined.GetProperty("id").GetString()!));
        }

        foreach (var (page, _) in pages)
        {
            foreach (string call in new[] { "meeting.self.enableAudio()", "meeting.self.enableVideo()" })
            {
                var result = await page.EvaluateAsync<JsonElement>("e => call(e)", call);
                Assert.True(result.GetProperty("ok").GetBoolean(), result.ToString());
            }
        }

        var (ada, adaId) = pages[0];
        var (bob, bobId) = pages[1];
        await Eventually.MatchAsync(() => bob.EvaluateAsync<int>("id => framesFrom(id)", adaId), f => f > 30, "Bob to see Ada through TURN");
        await Eventually.MatchAsync(() => ada.EvaluateAsync<int>("id => framesFrom(id)", bobId), f => f > 30, "Ada to see Bob through TURN");
        await Eventually.MatchAsync(() => bob.EvaluateAsync<long>("id => audioPacketsFrom(id)", adaId), p => p > 100, "Bob to hear Ada through TURN");
        await Eventually.MatchAsync(() => ada.EvaluateAsync<long>("id => audioPacketsFrom(id)", bobId), p => p > 100, "Ada to hear Bob through TURN");
        foreach (var (page, _) in pages)
        {
            var types = (await page.EvaluateAsync<JsonElement>("() => selectedCandidateTypes()")).EnumerateArray().Select(t => t.GetString()).ToList();
            Assert.True(types.Count >= 2 && types.All(t => t == "relay"), string.Join(", ", types));
        }

        // Each participant's publishing and subscribing connections took an allocation of coturn.
        Assert.True(Regex.Count(_turn.Log, "incoming packet ALLOCATE processed, success") >= 4, _turn.Log);
    }

    private Task<ServerFixture> StartServerAsync(params string[] more) => ServerFixture.StartAsync(
        ["--turn-url", _turn.Url, "--turn-url", $"{_turn.Url}?transport=tcp", "--turn-secret", _turn.Secret, .. more]);

    internal static async Task<HttpResponseMessage> GetIceServersAsync(ServerFixture server, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{server.HttpBase}/iceservers");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await server.Http.SendAsync(request);
    }

    private sealed record TurnOptionsShape(string Urls, string? Secret);

    [GeneratedRegex("""rel="ice-server"; username="(?<username>[^"]+)"; credential="(?<credential>[^"]+)"; credential-type="password"$""")]
    internal static partial Regex LinkCredential();
}
