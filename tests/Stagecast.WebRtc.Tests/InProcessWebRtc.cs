using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Stagecast.FfmpegProcesses;
using Stagecast.Streaming;
using Stagecast.Testing;
using Stagecast.Testing.WebRtc;
using Stagecast.WebRtc.Dtls;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Transport;
using Stagecast.WebRtc.Whep;
using Stagecast.WebRtc.Whip;

namespace Stagecast.WebRtc.Tests;

/// <summary>
/// The server's WebRTC side in process, without HTTP: a real transport on 127.0.0.1 (an ephemeral port), a hub, and a
/// fake clock for the server's timers. Stagecast's own clients negotiate with sessions built from their offers as the
/// WHIP and WHEP endpoints build them, answered as <c>WebRtcHttp.Answer</c> answers.
/// </summary>
public sealed class InProcessWebRtc : IAsyncDisposable
{
    public const string ClientAddress = "127.0.0.1";

    private readonly FfmpegLauncher _ffmpeg;
    private readonly OpusFeeds _opus;
    private readonly HubVideoFanouts _videos = new();
    private readonly List<IAsyncDisposable> _clients = [];

    private InProcessWebRtc(WebRtcOptions options, StreamHubOptions? hub)
    {
        Transport = new WebRtcTransport(Options.Create(options), Clock, NullLogger<WebRtcTransport>.Instance);
        Hub = TestHub.Create(Clock, hub);
        _ffmpeg = new FfmpegLauncher("ffmpeg", Clock);
        _opus = new OpusFeeds(_ffmpeg, NullLogger<Transcoding.AacToOpusTranscoder>.Instance);
    }

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero));

    public WebRtcTransport Transport { get; }

    public StreamHub Hub { get; }

    /// <summary>The clients' certificate (its validity is the real clock's: the clients are not the server).</summary>
    public DtlsCertificate ClientCertificate { get; } = DtlsCertificate.Create(TimeProvider.System);

    /// <summary>A transport on loopback with ICE-TCP off unless <paramref name="configure"/> turns it on, and a hub.</summary>
    public static async Task<InProcessWebRtc> StartAsync(Action<WebRtcOptions>? configure = null, StreamHubOptions? hub = null)
    {
        var options = new WebRtcOptions { Port = 0, TcpPort = 0, Bind = ClientAddress };
        configure?.Invoke(options);
        var rtc = new InProcessWebRtc(options, hub);
        await rtc.Transport.StartAsync(CancellationToken.None);
        return rtc;
    }

    /// <summary>A WHIP publisher of <paramref name="streamId"/>, once the server's side has connected.</summary>
    public Task<(WhipClient Client, WhipSession Session)> PublishAsync(string streamId) =>
        ConnectAsync((negotiate, certificate) => WhipClient.ConnectAsync(negotiate, certificate), offer =>
        {
            var negotiation = PublishNegotiation.Choose(offer);
            return (new WhipSession(Transport, offer, negotiation, ClientAddress, Hub, streamId, _ffmpeg, NullLogger.Instance), negotiation.Media);
        });

    /// <summary>
    /// A WHEP viewer of a live stream: its WebRTC publisher's RTP as it came when it takes the codecs, else the hub's
    /// frames; over ICE-TCP when <paramref name="iceTcp"/> (the transport must listen for it).
    /// </summary>
    public Task<(WhepClient Client, WhepSession Session)> WatchAsync(HubStream stream, bool iceTcp = false) =>
        ConnectAsync((negotiate, certificate) => WhepClient.ConnectAsync(negotiate, certificate, iceTcp), offer =>
        {
            WhepSession session = WhepNegotiation.ChooseForwarded(offer, stream) is { } forwarded
                ? new ForwardingWhepSession(Transport, offer, forwarded, ClientAddress, stream, NullLogger.Instance)
                : new HubWhepSession(Transport, offer, WhepNegotiation.Choose(offer, stream), ClientAddress, stream, _opus, _videos, NullLogger.Instance);
            return (session, session.Negotiation.Media);
        });

    /// <summary>
    /// Connects a client whose offer <paramref name="create"/> turns into the server's session and what the answer says
    /// of each section; returns once both ends completed DTLS. The client is closed with the transport.
    /// </summary>
    public async Task<(TClient Client, TSession Session)> ConnectAsync<TClient, TSession>(
        Func<Negotiate, DtlsCertificate, Task<TClient>> connect, Func<SdpSessionDescription, (TSession Session, IReadOnlyList<AnsweredMedia> Media)> create)
        where TClient : IAsyncDisposable
        where TSession : WebRtcSession
    {
        TSession? created = null;
        var client = await connect((offer, _) =>
        {
            var (session, media) = create(SdpSessionDescription.Parse(offer));
            created = session;
            Assert.True(Transport.TryRegister(session), "the transport refused the session");
            return Task.FromResult(session.Answer(media));
        }, ClientCertificate);
        lock (_clients)
        {
            _clients.Add(client);
        }

        await Eventually.TrueAsync(() => created!.IsConnected, "the server's side of the session to connect");
        return (client, created!);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }

        await Transport.StopAsync(CancellationToken.None);
        Transport.Dispose();
        _ffmpeg.Dispose();
    }
}
