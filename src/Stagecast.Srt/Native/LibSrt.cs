using System.Runtime.InteropServices;

namespace Stagecast.Srt.Native;

/// <summary>
/// The part of libsrt's C API (srt.h, libsrt 1.5) the server calls: sockets, options, the listen callback, epoll,
/// messages and errors. The library file is found at run time (<see cref="LibSrtLoader"/>).
/// </summary>
internal static partial class LibSrt
{
    public const string Library = "srt";

    public const int Error = -1;

    // SRT_SOCKOPT
    public const int OptionReceiveSynchronous = 2; // SRTO_RCVSYN
    public const int OptionSendSynchronous = 1; // SRTO_SNDSYN
    public const int OptionLatency = 23; // SRTO_LATENCY, milliseconds
    public const int OptionPassphrase = 26; // SRTO_PASSPHRASE, 10 to 79 characters
    public const int OptionPeerIdleTimeout = 55; // SRTO_PEERIDLETIMEO, milliseconds
    public const int OptionStreamId = 46; // SRTO_STREAMID
    public const int OptionTransmissionType = 50; // SRTO_TRANSTYPE

    public const int TransmissionTypeLive = 0; // SRTT_LIVE

    // SRT_EPOLL_OPT and SRT_EPOLL_FLAGS
    public const int EpollIn = 0x1;
    public const int EpollErr = 0x8;
    public const int EpollEnableEmpty = 1;

    // SRT_SOCKSTATUS: a socket the listener gave up in the handshake is closed, then gone
    public const int StatusClosed = 8; // SRTS_CLOSED
    public const int StatusNonExistent = 9; // SRTS_NONEXIST

    // SRT_ERRNO: 1000 * major + minor
    public const int ErrorAsyncSend = 6001; // SRT_EASYNCSND: the send buffer is full
    public const int ErrorAsyncReceive = 6002; // SRT_EASYNCRCV: nothing more to read now

    /// <summary>syslog's LOG_CRIT: libsrt keeps its own lines on stderr to the critical ones; the server logs what it refuses.</summary>
    public const int LogCritical = 2;

    /// <summary>The most one live-mode message carries (SRT_LIVE_MAX_PLSIZE); senders use 1316, seven TS packets.</summary>
    public const int MaxMessageSize = 1456;

    [LibraryImport(Library, EntryPoint = "srt_startup")]
    public static partial int Startup();

    [LibraryImport(Library, EntryPoint = "srt_cleanup")]
    public static partial int Cleanup();

    [LibraryImport(Library, EntryPoint = "srt_getversion")]
    public static partial uint GetVersion();

    [LibraryImport(Library, EntryPoint = "srt_setloglevel")]
    public static partial void SetLogLevel(int level);

    [LibraryImport(Library, EntryPoint = "srt_create_socket")]
    public static partial int CreateSocket();

    [LibraryImport(Library, EntryPoint = "srt_setsockflag")]
    public static partial int SetOption(int socket, int option, ref byte value, int length);

    [LibraryImport(Library, EntryPoint = "srt_getsockflag")]
    public static partial int GetOption(int socket, int option, ref byte value, ref int length);

    [LibraryImport(Library, EntryPoint = "srt_bind")]
    public static partial int Bind(int socket, ref byte address, int length);

    /// <summary>Binds to a UDP socket that is bound already; libsrt reads and closes that descriptor from then on.</summary>
    [LibraryImport(Library, EntryPoint = "srt_bind_acquire")]
    public static partial int BindAcquire(int socket, int udpSocket);

    [LibraryImport(Library, EntryPoint = "srt_getsockname")]
    public static partial int GetSocketName(int socket, ref byte address, ref int length);

    [LibraryImport(Library, EntryPoint = "srt_listen")]
    public static partial int Listen(int socket, int backlog);

    /// <summary>Installs the callback that sees each caller's stream id before its handshake completes.</summary>
    [LibraryImport(Library, EntryPoint = "srt_listen_callback")]
    public static partial int ListenCallback(int socket, nint callback, nint opaque);

    [LibraryImport(Library, EntryPoint = "srt_accept")]
    public static partial int Accept(int socket, ref byte address, ref int length);

    [LibraryImport(Library, EntryPoint = "srt_setrejectreason")]
    public static partial int SetRejectReason(int socket, int reason);

    [LibraryImport(Library, EntryPoint = "srt_getsockstate")]
    public static partial int GetSocketState(int socket);

    [LibraryImport(Library, EntryPoint = "srt_close")]
    public static partial int Close(int socket);

    [LibraryImport(Library, EntryPoint = "srt_recvmsg")]
    public static partial int ReceiveMessage(int socket, ref byte buffer, int length);

    [LibraryImport(Library, EntryPoint = "srt_sendmsg")]
    public static partial int SendMessage(int socket, ref byte buffer, int length, int ttl, int inOrder);

    [LibraryImport(Library, EntryPoint = "srt_getlasterror")]
    public static partial int GetLastError(nint systemErrno);

    [LibraryImport(Library, EntryPoint = "srt_getlasterror_str")]
    public static partial nint GetLastErrorText();

    [LibraryImport(Library, EntryPoint = "srt_epoll_create")]
    public static partial int EpollCreate();

    [LibraryImport(Library, EntryPoint = "srt_epoll_set")]
    public static partial int EpollSet(int epoll, int flags);

    [LibraryImport(Library, EntryPoint = "srt_epoll_add_usock")]
    public static partial int EpollAdd(int epoll, int socket, ref int events);

    [LibraryImport(Library, EntryPoint = "srt_epoll_remove_usock")]
    public static partial int EpollRemove(int epoll, int socket);

    /// <summary>Waits for events: fills <paramref name="events"/> with {int fd; int events} pairs; returns how many, or -1.</summary>
    [LibraryImport(Library, EntryPoint = "srt_epoll_uwait")]
    public static partial int EpollWait(int epoll, ref int events, int count, long timeoutMilliseconds);

    [LibraryImport(Library, EntryPoint = "srt_epoll_release")]
    public static partial int EpollRelease(int epoll);

    /// <summary>The calling thread's last error as text ("Connection does not exist", ...).</summary>
    public static string LastErrorText() => Marshal.PtrToStringUTF8(GetLastErrorText()) ?? "unknown SRT error";

    public static int SetOption(int socket, int option, int value) => SetOption(socket, option, ref System.Runtime.CompilerServices.Unsafe.As<int, byte>(ref value), sizeof(int));

    public static int SetOption(int socket, int option, ReadOnlySpan<byte> value) =>
        SetOption(socket, option, ref MemoryMarshal.GetReference(value), value.Length);
}
