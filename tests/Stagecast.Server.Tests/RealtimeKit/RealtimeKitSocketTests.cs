using Stagecast.RealtimeKit.Protocol.Rooms;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;
using Stagecast.Testing.RealtimeKit;
using Events = Stagecast.RealtimeKit.RealtimeKitEvents;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>
/// Tests on RealtimeKit's socket as its SDK speaks it: a server on HTTPS with the RealtimeKit host names, a tenant, and
/// sockets of participants (<see cref="RealtimeKitSocketClient"/>).
/// </summary>
public abstract class RealtimeKitSocketTests : IAsyncLifetime
{
    protected TlsFiles Tls { get; } = new(RealtimeKitBrowser.Domain);

    protected ServerFixture Server { get; private set; } = null!;

    protected StagecastApiClient Api { get; private set; } = null!;

    protected int HttpsPort => new Uri(Server.HttpBase).Port;

    public async Task InitializeAsync()
    {
        Server = await StartServerAsync([.. Tls.ServerFlags, "--realtimekit-base", RealtimeKitBrowser.Domain]);
        Api = await Server.NewTenantAsync();
    }

    /// <summary>Starts the server with <paramref name="args"/> (its TLS and RealtimeKit host names); a class adds settings or a clock of its own.</summary>
    protected virtual Task<ServerFixture> StartServerAsync(string[] args) => ServerFixture.StartAsync(args);

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Tls.Dispose();
    }

    /// <summary>A socket of the participant whose token this is, not joined.</summary>
    protected Task<RealtimeKitSocketClient> ConnectAsync(string token) => RealtimeKitSocketClient.ConnectAsync(HttpsPort, Tls.Certificate, token);

    /// <summary>A socket of the participant whose token this is, joined to the room.</summary>
    protected async Task<RealtimeKitSocketClient> JoinAsync(string token)
    {
        var socket = await ConnectAsync(token);
        Assert.False(RealtimeKitSocketClient.IsError(await socket.RequestAsync(Events.Room.JoinRoom, new JoinRoomRequest())));
        return socket;
    }
}
