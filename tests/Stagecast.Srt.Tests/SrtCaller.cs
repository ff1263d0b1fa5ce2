using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using Stagecast.Srt.Native;

namespace Stagecast.Srt.Tests;

/// <summary>
/// An SRT caller inside the test process, libsrt's own as encoders use it: from a chosen local address (a second
/// client on one machine), with a stream id and maybe a passphrase. <see cref="Connect"/> answers with the reject code
/// an encoder would get; <see cref="StartConnect"/> sends the handshake without waiting for the answer.
/// </summary>
internal sealed partial class SrtCaller : IDisposable
{
    private const int OptionReuseAddress = 15; // SRTO_REUSEADDR
    private const int OptionConnectTimeout = 36; // SRTO_CONNTIMEO, milliseconds

    /// <summary>libsrt's codes below 1000 (SRT_REJ_*) that the tests look for.</summary>
    public const int RejectBadSecret = 10;

    private readonly int _socket;

    /// <summary>
    /// Loads libsrt before a caller's first call (its calls are LibSrt's, which the loader resolves once it has loaded
    /// the library): the server under test loads it only when a caller knocks, which is after that call.
    /// </summary>
    static SrtCaller()
    {
        if (LibSrtLoader.TryLoad() is { } missing)
        {
            throw new InvalidOperationException(missing);
        }

        NativeLibrary.SetDllImportResolver(typeof(SrtCaller).Assembly,
            (name, _, _) => name == LibSrt.Library ? NativeLibrary.Load(LibSrtLoader.Library!) : 0);
    }

    /// <param name="local">The address (and port, 0 for any) to call from; callers bound to one port share libsrt's threads.</param>
    public SrtCaller(string streamId, string? passphrase = null, IPEndPoint? local = null)
    {
        // Started here and cleaned up on disposal, as a server's is: libsrt is one per process, and left started (as
        // srt_create_socket would leave it) it would keep a sleeping server's listener alive (SrtDormancyTests).
        Check(LibSrt.Startup(), "start libsrt");
        _socket = LibSrt.CreateSocket();
        Check(LibSrt.SetOption(_socket, LibSrt.OptionStreamId, Encoding.UTF8.GetBytes(streamId)), "set the stream id");
        Check(LibSrt.SetOption(_socket, LibSrt.OptionTransmissionType, LibSrt.TransmissionTypeLive), "set live mode");
        Check(LibSrt.SetOption(_socket, OptionConnectTimeout, 3000), "set the connect timeout");
        if (passphrase is not null)
        {
            Check(LibSrt.SetOption(_socket, LibSrt.OptionPassphrase, Encoding.UTF8.GetBytes(passphrase)), "set the passphrase");
        }

        if (local is not null)
        {
            Check(LibSrt.SetOption(_socket, OptionReuseAddress, 1), "set SRTO_REUSEADDR");
            Span<byte> address = stackalloc byte[SockAddr.MaxLength];
            int length = SockAddr.Write(address, local);
            Check(LibSrt.Bind(_socket, ref address[0], length), $"bind to {local}");
        }
    }

    /// <summary>Where the caller sends from, once bound or connected.</summary>
    public IPEndPoint LocalEndPoint
    {
        get
        {
            Span<byte> address = stackalloc byte[SockAddr.MaxLength];
            int length = SockAddr.MaxLength;
            Check(LibSrt.GetSocketName(_socket, ref address[0], ref length), "read the local address");
            return SockAddr.Read(address[..length])!;
        }
    }

    /// <summary>Connects (blocking, up to libsrt's 3 s): 0 when connected, else the reject code (SRT_REJ_* or the server's 1xxx).</summary>
    public int Connect(int port)
    {
        Check(LibSrt.SetOption(_socket, LibSrt.OptionReceiveSynchronous, 1), "set SRTO_RCVSYN");
        return ConnectTo(port) == LibSrt.Error ? GetRejectReason(_socket) : 0;
    }

    /// <summary>Sends the handshake and returns at once; libsrt goes on with it in the background.</summary>
    public void StartConnect(int port)
    {
        Check(LibSrt.SetOption(_socket, LibSrt.OptionReceiveSynchronous, 0), "set SRTO_RCVSYN");
        _ = ConnectTo(port);
    }

    public void Dispose()
    {
        _ = LibSrt.Close(_socket);
        _ = LibSrt.Cleanup();
    }

    private int ConnectTo(int port)
    {
        Span<byte> address = stackalloc byte[SockAddr.MaxLength];
        int length = SockAddr.Write(address, new IPEndPoint(IPAddress.Loopback, port));
        return SrtConnect(_socket, ref address[0], length);
    }

    private static void Check(int result, string what)
    {
        if (result == LibSrt.Error)
        {
            throw new InvalidOperationException($"SRT caller could not {what}: {LibSrt.LastErrorText()}");
        }
    }

    [LibraryImport(LibSrt.Library, EntryPoint = "srt_connect")]
    private static partial int SrtConnect(int socket, ref byte address, int length);

    [LibraryImport(LibSrt.Library, EntryPoint = "srt_getrejectreason")]
    private static partial int GetRejectReason(int socket);
}
