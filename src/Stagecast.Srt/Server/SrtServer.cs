using System.Collections.Concurrent;
using System.Net;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stagecast.Srt.Native;
using Stagecast.Srt.Sessions;
using Stagecast.Streaming;
using Stagecast.Streaming.Logging;
using Stagecast.Streaming.MpegTs;

namespace Stagecast.Srt.Server;

/// <summary>
/// SRT on one UDP port through libsrt: a listener whose handshake callback admits or refuses each caller by its stream
/// id (<see cref="SrtServer"/>.Handshake), and one thread that accepts, reads and closes every connection with libsrt's
/// epoll. Publishers go to the hub, readers read from it. While nobody calls, libsrt sleeps and the server holds the
/// port itself (<see cref="SrtServer"/>.Dormancy). Without libsrt on the machine the server runs without SRT and says
/// so once.
/// </summary>
public sealed partial class SrtServer(
    StreamHub hub,
    IPublishAuthorizer authorizer,
    SrtAdmission admission,
    IOptions<SrtServerOptions> options,
    TimeProvider time,
    ILogger<SrtServer> logger,
    IOpusTranscoding? opus = null) : IHostedService, IDisposable, ISrtConnectionHost
{
    private const int Backlog = 64;

    private readonly ConcurrentDictionary<int, SrtConnection> _connections = new();
    private readonly ConcurrentQueue<Action> _posted = new();
    private readonly LogLimiter _refusals = new(time);
    private readonly Lock _lifecycle = new();
    private int _listener = LibSrt.Error;
    private int _epoll = LibSrt.Error;
    private GCHandle _self;
    private Thread? _loop;
    private volatile bool _stopping;

    /// <summary>Where SRT listens, once started; null when SRT is off.</summary>
    public IPEndPoint? LocalEndPoint { get; private set; }

    /// <summary>Accepted connections open now (publishers and readers).</summary>
    public int Connections => _connections.Count;

    StreamHub ISrtConnectionHost.Hub => hub;

    TimeProvider ISrtConnectionHost.Time => time;

    ILogger ISrtConnectionHost.Logger => logger;

    IOpusTranscoding? ISrtConnectionHost.Opus => opus;

    TimeSpan ISrtConnectionHost.FirstMediaDeadline => Options.FirstMediaDeadline;

    TimeSpan ISrtConnectionHost.IdleTimeout => Options.IdleTimeout;

    private SrtServerOptions Options => options.Value;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!Options.Enabled)
        {
            return Task.CompletedTask;
        }

        if (LibSrtLoader.Find() is { } missing)
        {
            SrtLog.Unavailable(logger, missing);
            return Task.CompletedTask;
        }

        HoldPort();
        _self = GCHandle.Alloc(this);
        _loop = new Thread(Run) { Name = "SRT", IsBackground = true };
        _loop.Start();
        SrtLog.Listening(logger, LocalEndPoint!.ToString(), LibSrtLoader.Library!);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Stop();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops SRT when the host did not (a start that failed on another listener): libsrt's threads and the loop must
    /// be gone before the process exits, or they run on into its teardown.
    /// </summary>
    public void Dispose() => Stop();

    private void Stop()
    {
        lock (_lifecycle)
        {
            if (_loop is null)
            {
                return;
            }

            _stopping = true;
            Signal();
            _loop.Join();
            _loop = null;
            Release();
        }
    }

    void ISrtConnectionHost.Post(Action work)
    {
        _posted.Enqueue(work);
        Signal();
    }

    /// <summary>Makes the listener on a copy of the held port (<paramref name="udp"/>, which libsrt then owns).</summary>
    private void Listen(int udp)
    {
        _listener = LibSrt.CreateSocket();
        Check(_listener, "create a socket");
        Check(LibSrt.SetOption(_listener, LibSrt.OptionReceiveSynchronous, 0), "set SRTO_RCVSYN");
        Check(LibSrt.SetOption(_listener, LibSrt.OptionSendSynchronous, 0), "set SRTO_SNDSYN");
        Check(LibSrt.SetOption(_listener, LibSrt.OptionTransmissionType, LibSrt.TransmissionTypeLive), "set SRTO_TRANSTYPE");
        Check(LibSrt.SetOption(_listener, LibSrt.OptionLatency, (int)Options.Latency.TotalMilliseconds), "set SRTO_LATENCY");
        Check(LibSrt.SetOption(_listener, LibSrt.OptionPeerIdleTimeout, (int)SrtConnection.PeerIdleTimeout.TotalMilliseconds), "set SRTO_PEERIDLETIMEO");
        if (Options.Passphrase is { } passphrase)
        {
            Check(LibSrt.SetOption(_listener, LibSrt.OptionPassphrase, System.Text.Encoding.UTF8.GetBytes(passphrase)), "set SRTO_PASSPHRASE");
        }

        Check(LibSrt.BindAcquire(_listener, udp), "take the UDP port");
        InstallHandshakeCallback();
        Check(LibSrt.Listen(_listener, Backlog), "listen");
        _epoll = LibSrt.EpollCreate();
        Check(_epoll, "create an epoll");
        Check(LibSrt.EpollSet(_epoll, LibSrt.EpollEnableEmpty), "let the epoll wait with no socket in it");
        int events = LibSrt.EpollIn | LibSrt.EpollErr;
        Check(LibSrt.EpollAdd(_epoll, _listener, ref events), "watch the listener");
    }

    /// <summary>Gives everything back: libsrt (when awake), the port, the handle the callback finds the server by.</summary>
    private void Release()
    {
        if (_awake)
        {
            ReleaseLibsrt();
        }

        ReleasePort();
        if (_self.IsAllocated)
        {
            _self.Free();
        }
    }

    private static void Check(int result, string what)
    {
        if (result == LibSrt.Error)
        {
            throw new SrtListenException($"SRT could not {what}: {LibSrt.LastErrorText()}");
        }
    }

    /// <summary>Logs a refused caller or connection, at most 20 lines a minute across SRT.</summary>
    internal void LogRefusal(string remote, string reason)
    {
        admission.CountRefusal();
        if (_refusals.TryLog(out long suppressed))
        {
            if (suppressed > 0)
            {
                SrtLog.Suppressed(logger, suppressed);
            }

            SrtLog.Refused(logger, remote, reason);
        }
    }
}

/// <summary>SRT cannot listen on its port (it is taken, or libsrt refused a setting): the server does not start.</summary>
public sealed class SrtListenException(string message) : Exception(message);
