using System.Net;
using System.Net.Sockets;
using Stagecast.Srt.Native;
using Stagecast.Srt.Sessions;
using Stagecast.Transport.Epoll;

namespace Stagecast.Srt.Server;

/// <summary>
/// libsrt sleeps while nobody calls. As long as any SRT socket exists, libsrt's receiving thread polls the UDP port
/// every 10 ms (a select with a 10 ms timeout) and its collector wakes every second: on an idle server that was 0.2 % of
/// a core, most of what it spent. So the server binds the port itself and holds it (<see cref="_held"/>); while libsrt
/// sleeps, the SRT thread waits in one poll for a datagram on it (left there) or its own wake-up (an eventfd,
/// <see cref="Signal"/>, which wakes it from its idle wait while libsrt is up too). When a datagram comes, libsrt is started and its listener takes a copy of the port
/// (srt_bind_acquire), where the caller's handshake still waits to be read. Once nothing has been open, admitted or
/// posted for <see cref="DormantAfter"/>, the listener is closed and libsrt cleaned up (its threads end with it), and
/// the thread polls the port again. The port stays bound throughout: a caller is never refused by the system.
/// No .NET socket reads the port (one would sit in .NET's epoll and wake it at each datagram libsrt reads).
/// </summary>
public sealed partial class SrtServer
{
    /// <summary>How long libsrt stays up after the last connection closed.</summary>
    internal static readonly TimeSpan DormantAfter = TimeSpan.FromSeconds(10);

    private readonly byte[] _drain = new byte[2048]; // an SRT packet is at most 1500 bytes
    private Socket? _port; // the bound port, kept for its descriptor; never read through
    private int _held = -1;
    private LoopWakeup? _wakeup;
    private ITimer? _dormancy;
    private volatile bool _quiet;
    private volatile bool _awake;
    private bool _loaded; // on the loop only

    /// <summary>Whether libsrt is listening now (a caller came and the server has not gone quiet since).</summary>
    internal bool LibsrtListening => _awake;

    /// <summary>Binds the UDP port and keeps it for the server's lifetime, with the eventfd that wakes the thread's poll.</summary>
    private void HoldPort()
    {
        var bind = new IPEndPoint(IPAddress.Parse(Options.Bind), Options.Port);
        var port = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (bind.Address.Equals(IPAddress.IPv6Any))
            {
                port.DualMode = true; // :: takes IPv4 callers too
            }

            port.Bind(bind);
        }
        catch (SocketException ex)
        {
            port.Dispose();
            throw new SrtListenException($"cannot listen: UDP port {Options.Port} (--srt-port) on {Options.Bind}: {ex.Message}; "
                + "if another program holds it, stop it or choose another port with --srt-port (0 for an ephemeral one)");
        }

        LocalEndPoint = (IPEndPoint)port.LocalEndPoint!;
        _port = port;
        _held = (int)port.Handle;
        try
        {
            _wakeup = new LoopWakeup();
        }
        catch (IOException ex)
        {
            ReleasePort();
            throw new SrtListenException($"cannot make the SRT thread's wake-up: {ex.Message}");
        }
    }

    /// <summary>Wakes the SRT thread wherever it waits outside libsrt's epoll (<see cref="AwaitSignal"/>).</summary>
    private void Signal() => _wakeup?.Signal();

    /// <summary>
    /// On the loop: waits for a signal, and while libsrt sleeps (<paramref name="port"/>) for a datagram on the port
    /// too; true when a caller knocked.
    /// </summary>
    private bool AwaitSignal(bool port) => _wakeup!.Wait(port ? _held : -1);

    /// <summary>On the loop: a datagram came while libsrt slept; libsrt starts and listens on the port.</summary>
    private void Wake()
    {
        try
        {
            Load();
            Check(LibSrt.Startup(), "start");
            _awake = true;
            Listen(LibC.Dup(_held));
            SrtLog.Woken(logger);
        }
        catch (SrtListenException ex)
        {
            SrtLog.LoopFailed(logger, ex);
            ReleaseLibsrt();
            while (LibC.Receive(_held, ref _drain[0], _drain.Length, LibC.DontWait) >= 0)
            {
                // what woke it is dropped, so it does not wake it again at once
            }
        }
    }

    /// <summary>On the loop, with the first caller: loads libsrt (<see cref="LibSrtLoader"/>), quiet but for critical errors.</summary>
    private void Load()
    {
        if (_loaded)
        {
            return;
        }

        if (LibSrtLoader.TryLoad() is { } missing)
        {
            throw new SrtListenException(missing);
        }

        LibSrt.SetLogLevel(LibSrt.LogCritical);
        uint version = LibSrt.GetVersion();
        SrtLog.Loaded(logger, $"{version >> 16}.{(version >> 8) & 0xFF}.{version & 0xFF}", LibSrtLoader.Library!);
        _loaded = true;
    }

    /// <summary>On the loop: nothing is open, admitted or posted; arms the timer that lets libsrt sleep, or sleeps once it fired.</summary>
    private void IdleAwake()
    {
        if (_quiet)
        {
            SrtLog.Sleeping(logger, DormantAfter.TotalSeconds);
            int listener = _listener;
            ReleaseLibsrt();
            AwaitLibsrtLetGo(listener);
            return;
        }

        _dormancy ??= time.CreateTimer(static state => ((SrtServer)state!).GoneQuiet(), this, DormantAfter, Timeout.InfiniteTimeSpan);
        AwaitSignal(port: false);
    }

    /// <summary>On the loop: a connection or handshake is there; the dormancy timer starts again once it is gone.</summary>
    private void Busy()
    {
        _dormancy?.Dispose();
        _dormancy = null;
        _quiet = false;
    }

    private void GoneQuiet()
    {
        _quiet = true;
        Signal();
    }

    /// <summary>Closes the listener and cleans libsrt up: its receiving and collecting threads end.</summary>
    private void ReleaseLibsrt()
    {
        Busy();
        if (_epoll != LibSrt.Error)
        {
            _ = LibSrt.EpollRelease(_epoll);
            _epoll = LibSrt.Error;
        }

        if (_listener != LibSrt.Error)
        {
            _ = LibSrt.Close(_listener);
            _listener = LibSrt.Error;
        }

        if (_awake)
        {
            _ = LibSrt.Cleanup();
            _awake = false;
        }
    }

    /// <summary>
    /// Cleaning libsrt up ends it only when nothing else in the process started it (the tests' own callers do); otherwise
    /// libsrt's collector drops the closed listener, and its reader of the port with it, within about a second of its
    /// own time, which no clock of ours drives. The port is watched again only once that reader is gone, or the next
    /// listener's reader and it would split the port's datagrams. In a server alone with libsrt it is gone at once.
    /// </summary>
    private static void AwaitLibsrtLetGo(int listener)
    {
        for (int i = 0; i < 60 && listener != LibSrt.Error && LibSrt.GetSocketState(listener) != LibSrt.StatusNonExistent; i++)
        {
            Thread.Sleep(50);
        }
    }

    private void ReleasePort()
    {
        _port?.Dispose();
        _port = null;
        _held = -1;
        _wakeup?.Dispose();
        _wakeup = null;
    }
}
