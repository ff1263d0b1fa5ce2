using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Stagecast.Server.Features.WebRtcServer;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.WebRtc;

/// <summary>
/// Issue 51's attacks on the TURN relay, against coturn with the shipped deploy/coturn/turnserver.conf (its quotas:
/// 64 allocations a user, 1,000 in all): anonymous WHEP viewers cannot take the participants' allocations, and the
/// relay reaches no TCP port of the server.
/// </summary>
[Collection(HeavyCollection.Name)]
public sealed class ShippedCoturnTests
{
    /// <summary>WHEP offers the attacker makes: with a 64-allocation TURN user each, 1,024 allocations, past coturn's 1,000.</summary>
    private const int Offers = 16;

    /// <summary>
    /// Each WHEP offer used to bring a new 24-hour TURN user; 16 of them took all 1,000 of coturn's allocations, and a
    /// participant's own credential was refused. By default viewers get STUN alone: nothing to allocate with.
    /// </summary>
    [Fact]
    public async Task AnonymousViewersGetNoTurnCredentialByDefaultAndAParticipantStillAllocates()
    {
        await using var turn = await CoturnServer.StartShippedAsync();
        await using var own = (await StartServerAsync(turn)).AsAsyncDisposable(out var server);
        var (api, livestreamId, publisher) = await LiveAsync(server);
        await using var _ = publisher;

        var (credentials, allocations) = await AttackAsync(server, turn, livestreamId);
        Assert.Equal(0, credentials);
        Assert.Equal(0, allocations);
        Assert.True(await ParticipantAllocatesAsync(server, turn, api), "a participant's allocation after the attack");
    }

    /// <summary>
    /// With viewers relayed, an address gets a few credentials a minute, all naming one TURN user: whatever it does with
    /// them, viewers hold at most that user's quota of coturn's allocations, and the participants' stay theirs.
    /// </summary>
    [Fact]
    public async Task RelayedViewersShareOneTurnUsersQuotaWhateverTheyAskAndAParticipantStillAllocates()
    {
        await using var turn = await CoturnServer.StartShippedAsync();
        await using var own = (await StartServerAsync(turn, "--set", "Stagecast:Turn:ViewerRelay=true")).AsAsyncDisposable(out var server);
        var (api, livestreamId, publisher) = await LiveAsync(server);
        await using var _ = publisher;

        var (credentials, allocations) = await AttackAsync(server, turn, livestreamId);
        Assert.Equal(new TurnOptions().ViewerCredentialsPerMinute, credentials); // then STUN alone
        Assert.InRange(allocations, 1, 64); // the shipped user-quota, for every viewer together
        Assert.True(await ParticipantAllocatesAsync(server, turn, api), "a participant's allocation after the attack");
    }

    /// <summary>
    /// The shipped config relayed TCP to any port of the allowed address (8080, 9464 and 22 were reached): it now relays
    /// UDP alone, so a TCP relay (RFC 6062, what reaching the HTTP port takes) is refused with 442.
    /// </summary>
    [Fact]
    public async Task TheShippedConfigRefusesATcpRelaySoNoTcpPortOfTheServerIsReached()
    {
        await using var turn = await CoturnServer.StartShippedAsync();
        await using var own = (await StartServerAsync(turn)).AsAsyncDisposable(out var server);
        var api = await server.NewTenantAsync();
        var (username, credential) = await ParticipantCredentialAsync(server, api);

        Assert.Equal(442, await turn.AllocateTcpRelayAsync(username, credential));
        Assert.True(await turn.AllocatesAsync(username, credential)); // UDP, what browsers relay over, still is
    }

    private static Task<ServerFixture> StartServerAsync(CoturnServer turn, params string[] more) =>
        ServerFixture.StartAsync(["--turn-url", turn.Url, "--turn-url", $"{turn.Url}?transport=tcp", "--turn-secret", turn.Secret, .. more]);

    private static async Task<(StagecastApiClient Api, string LivestreamId, ExternalProcess Publisher)> LiveAsync(ServerFixture server)
    {
        var api = await server.NewTenantAsync();
        var livestream = await api.CreateLivestreamAsync();
        var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(60, "320x180"));
        await server.WaitForMediaAsync(livestream.Id, TimeSpan.FromSeconds(1));
        return (api, livestream.Id, publisher);
    }

    /// <summary>
    /// What one anonymous client does: <see cref="Offers"/> WHEP offers, and with each TURN credential an answer
    /// carries, allocations until coturn refuses, each from a port of its own. Counts both.
    /// </summary>
    private static async Task<(int Credentials, int Allocations)> AttackAsync(ServerFixture server, CoturnServer turn, string livestreamId)
    {
        using var sockets = new Sockets();
        int credentials = 0, allocations = 0;
        for (int offer = 0; offer < Offers; offer++)
        {
            var answer = await server.Http.PostAsync($"{server.HttpBase}/{livestreamId}/whep",
                new StringContent(WhepBrowserTests.SampleOffer, Encoding.UTF8, "application/sdp"));
            Assert.Equal(HttpStatusCode.Created, answer.StatusCode);
            var links = answer.Headers.GetValues("Link").ToList();
            Assert.Contains($"<stun:127.0.0.1:{turn.Port}>; rel=\"ice-server\"", links);
            if (links.Select(l => TurnTests.LinkCredential().Match(l)).FirstOrDefault(m => m.Success) is not { } link)
            {
                continue;
            }

            credentials++;
            string username = link.Groups["username"].Value;
            Assert.Equal(IceServers.ViewerUser, username.Split(':')[1]);
            var expiry = DateTimeOffset.FromUnixTimeSeconds(long.Parse(username.Split(':')[0]));
            Assert.InRange(expiry, DateTimeOffset.UtcNow.AddMinutes(55), DateTimeOffset.UtcNow.AddMinutes(65)); // an hour by default
            int refusal;
            while ((refusal = await turn.AllocateAsync(sockets.Add(), username, link.Groups["credential"].Value)) == 0)
            {
                allocations++;
            }

            Assert.Equal(486, refusal); // Allocation Quota Reached: the user's, or coturn's in all
        }

        return (credentials, allocations);
    }

    private static async Task<bool> ParticipantAllocatesAsync(ServerFixture server, CoturnServer turn, StagecastApiClient api)
    {
        var (username, credential) = await ParticipantCredentialAsync(server, api);
        return await turn.AllocatesAsync(username, credential);
    }

    private static async Task<(string Username, string Credential)> ParticipantCredentialAsync(ServerFixture server, StagecastApiClient api)
    {
        var ada = await api.AddParticipantAsync(await api.CreateMeetingAsync(), "ada");
        var answer = await TurnTests.GetIceServersAsync(server, ada.Token);
        var turn = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("iceServers")[1];
        return (turn.GetProperty("username").GetString()!, turn.GetProperty("credential").GetString()!);
    }

    /// <summary>The attacker's client sockets, each one allocation's address, open while it attacks.</summary>
    private sealed class Sockets : IDisposable
    {
        private readonly List<UdpClient> _open = [];

        public UdpClient Add()
        {
            var socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            _open.Add(socket);
            return socket;
        }

        public void Dispose() => _open.ForEach(s => s.Dispose());
    }
}
