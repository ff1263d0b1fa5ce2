using Microsoft.Extensions.DependencyInjection;
using Stagecast.Server.Features.MeetingMedia;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Tests.RealtimeKit;
using Stagecast.Testing;
using Stagecast.Testing.RealtimeKit;
using Stagecast.Streaming;
using Stagecast.Testing.WebRtc;
using Stagecast.WebRtc.Dtls;
using Stagecast.WebRtc.Sfu;

namespace Stagecast.Server.Tests.Meetings;

/// <summary>
/// A server for tests of meeting media without a browser (HTTPS, RealtimeKit's socket under its domain), a tenant,
/// and the steps those tests share: joining the JSON channel, publishing and watching over meeting WHIP and WHEP with
/// Stagecast's own WebRTC clients, joining RealtimeKit's socket (<see cref="RealtimeKitMediaClient"/>), and finding
/// a meeting's room, peers and router. The clients it makes are disposed with it.
/// </summary>
public sealed class MeetingMediaServer : IAsyncDisposable
{
    private readonly TlsFiles _tls;
    private readonly List<IAsyncDisposable> _clients = [];

    private MeetingMediaServer(TlsFiles tls, ServerFixture server, StagecastApiClient api)
    {
        (_tls, Server, Api) = (tls, server, api);
    }

    public ServerFixture Server { get; }

    public StagecastApiClient Api { get; }

    public TestCertificate Certificate => _tls.Certificate;

    /// <summary>The certificate the tests' WHIP and WHEP clients present.</summary>
    public DtlsCertificate Dtls { get; } = DtlsCertificate.Create(TimeProvider.System);

    public int HttpsPort => new Uri(Server.HttpBase).Port;

    /// <summary>Starts a server with <paramref name="settings"/> (<c>--set</c> arguments and the like), on <paramref name="clock"/> when given.</summary>
    public static async Task<MeetingMediaServer> StartAsync(TimeProvider? clock = null, params string[] settings)
    {
        var tls = new TlsFiles(RealtimeKitBrowser.Domain);
        string[] args = [.. tls.ServerFlags, "--realtimekit-base", RealtimeKitBrowser.Domain, .. settings];
        var server = clock is null ? await ServerFixture.StartAsync(args) : await ServerFixture.StartAsync(clock, args);
        return new MeetingMediaServer(tls, server, await server.NewTenantAsync());
    }

    /// <summary>The participant on the JSON channel, joined: the client and its peer id.</summary>
    public async Task<(RealtimeTestClient Channel, string PeerId)> JoinChannelAsync(CreatedParticipant participant)
    {
        var channel = Owned(await RealtimeTestClient.ConnectAsync(Server.HttpBase, participant.Token, Certificate));
        return (channel, (await channel.OkAsync("join")).GetProperty("peer_id").GetString()!);
    }

    /// <summary>The participant's peer <paramref name="peerId"/> publishes its <paramref name="source"/> over meeting WHIP.</summary>
    public async Task<WhipClient> PublishAsync(CreatedParticipant participant, string peerId, string source = "camera") =>
        Owned(await WhipClient.ConnectAsync(Server.Http, $"{Server.HttpBase}/realtime/v1/peers/{peerId}/whip?source={source}", participant.Token, Dtls));

    /// <summary>The participant watches peer <paramref name="peerId"/>'s <paramref name="source"/> over meeting WHEP.</summary>
    public async Task<WhepClient> WatchAsync(CreatedParticipant participant, string peerId, string source = "camera") =>
        Owned(await WhepClient.ConnectAsync(Server.Http, $"{Server.HttpBase}/realtime/v1/peers/{peerId}/whep?source={source}", Dtls, bearer: participant.Token));

    /// <summary>The participant on RealtimeKit's socket, joined.</summary>
    public async Task<RealtimeKitMediaClient> JoinRealtimeKitAsync(CreatedParticipant participant) =>
        Owned(await RealtimeKitMediaClient.JoinAsync(HttpsPort, Certificate, participant.Token));

    public MeetingRoom Room(string meetingId) => Server.App.Services.GetRequiredService<MeetingRooms>().Find(meetingId)!;

    /// <summary>The participant's peer in the meeting's room.</summary>
    public RoomPeer PeerOf(string meetingId, CreatedParticipant participant) => Room(meetingId).Peers.Single(p => p.Participant.Id == participant.Id);

    public MeetingRouter Router(string meetingId) => Server.App.Services.GetRequiredService<MeetingMediaService>().Find(Room(meetingId))!;

    /// <summary>The hub stream of a peer's source, while there is one.</summary>
    public HubStream? Stream(string meetingId, string peerId, MediaSource source = MediaSource.Camera) =>
        Service<MeetingMediaHub>().Hub.Find(new MeetingStreamKey(meetingId, peerId, source).HubId);

    /// <summary>The publication of a peer's source, while it has one connected.</summary>
    public SfuPublication? Publication(string meetingId, string peerId, MediaSource source = MediaSource.Camera) =>
        Router(meetingId).PublicationOf(new MeetingStreamKey(meetingId, peerId, source));

    public T Service<T>()
        where T : notnull => Server.App.Services.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }

        await Server.DisposeAsync();
        _tls.Dispose();
    }

    private T Owned<T>(T client)
        where T : IAsyncDisposable
    {
        _clients.Add(client);
        return client;
    }

    /// <summary>
    /// Calls <paramref name="send"/> every 20 ms until disposed: a publisher goes on sending while the test does other
    /// things (the server closes one that sends nothing for its media timeout, 10 s, as a browser's never does).
    /// </summary>
    public static IAsyncDisposable KeepSending(Action send) => new Sending(send);

    /// <summary>
    /// Calls <paramref name="send"/> every 20 ms (a sender's pace) until <paramref name="done"/>, at most a minute (a
    /// guard against what never comes, long enough for a machine with other work on both cores).
    /// </summary>
    public static async Task WhileSendingAsync(Action send, Func<bool> done, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!done())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"not within 60 s: {what}");
            }

            send();
            await Task.Delay(20);
        }
    }

    private sealed class Sending : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public Sending(Action send) => _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                send();
                await Task.Delay(20).ConfigureAwait(false);
            }
        });

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _loop;
            _stop.Dispose();
        }
    }
}
