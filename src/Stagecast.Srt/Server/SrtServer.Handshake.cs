using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Stagecast.Srt.Native;
using Stagecast.Srt.Sessions;
using Stagecast.Streaming;
using Stagecast.Streaming.Logging;

namespace Stagecast.Srt.Server;

/// <summary>
/// The handshake callback (srt_listen_callback): libsrt calls it on its receiving thread with each caller's stream id
/// before the handshake completes, so a caller that cannot be served is refused there, with a reject code it can
/// show (SRT's access control codes: 1400 bad stream id, 1402 too many connections or failed handshakes, 1403 key
/// refused, 1404 no such stream, 1409 already published, 1503 shutting down). Every SRT packet on the port waits while
/// it runs, so it never waits itself: it answers from what is in memory (the hub, the caps, the answers of recent key
/// checks). A key not checked lately is let in and checked meanwhile; what the caller sends before the answer is
/// dropped, and a no closes the connection (see docs/decisions.md: SRT callers do not retry a refused handshake, so
/// refusing "until the check is done" would turn away every first try).
/// </summary>
public sealed partial class SrtServer
{
    private const int RejectBadRequest = 1400;
    private const int RejectOverload = 1402;
    private const int RejectForbidden = 1403;
    private const int RejectNotFound = 1404;
    private const int RejectConflict = 1409;
    private const int RejectUnavailable = 1503;
    private const int Accepted = 0;

    /// <summary>Callers admitted by the callback, by socket, until accepted or given up by libsrt (<see cref="CheckAdmitted"/>).</summary>
    private readonly ConcurrentDictionary<int, Admitted> _admitted = new();

    private readonly SrtKeyAnswers _keyAnswers = new(time);

    private sealed record Admitted(SrtStreamId StreamId, string Remote, string Address, Task<PublishAuthorization>? Authorization, long At);

    private unsafe void InstallHandshakeCallback()
    {
        delegate* unmanaged[Cdecl]<nint, int, int, nint, nint, int> callback = &OnHandshake;
        Check(LibSrt.ListenCallback(_listener, (nint)callback, GCHandle.ToIntPtr(_self)), "install the handshake callback");
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int OnHandshake(nint opaque, int socket, int handshakeVersion, nint peer, nint streamId)
    {
        try
        {
            var server = (SrtServer)GCHandle.FromIntPtr(opaque).Target!;
            var endpoint = ReadPeer(peer);
            int reject = server.Admit(socket, endpoint, Marshal.PtrToStringUTF8(streamId));
            if (reject != Accepted)
            {
                _ = LibSrt.SetRejectReason(socket, reject); // the caller is refused either way; the reason is a courtesy
                return LibSrt.Error;
            }

            return 0;
        }
        catch (Exception)
        {
            return LibSrt.Error; // nothing may unwind into libsrt
        }
    }

    private static IPEndPoint? ReadPeer(nint peer)
    {
        if (peer == 0)
        {
            return null;
        }

        var address = new byte[SockAddr.MaxLength];
        Marshal.Copy(peer, address, 0, 16);
        if (address[0] == 10)
        {
            Marshal.Copy(peer, address, 0, SockAddr.MaxLength); // AF_INET6: the longer form
        }

        return SockAddr.Read(address);
    }

    /// <summary>Decides on one caller from what is known now; returns 0 to let it in, else the reject code.</summary>
    private int Admit(int socket, IPEndPoint? peer, string? streamIdText)
    {
        var address = peer?.Address is { IsIPv4MappedToIPv6: true } mapped ? mapped.MapToIPv4() : peer?.Address;
        string remote = peer is null ? "(unknown)" : new IPEndPoint(address!, peer.Port).ToString();
        string addressText = address?.ToString() ?? remote;
        if (_stopping || hub.ShuttingDown.IsCancellationRequested)
        {
            return RejectUnavailable;
        }

        if (!SrtStreamId.TryParse(streamIdText, Options.App, out var id, out string problem))
        {
            return Refused(remote, RejectBadRequest, problem);
        }

        if (admission.Check(addressText) is { } overload)
        {
            return Refused(remote, RejectOverload, overload);
        }

        Task<PublishAuthorization>? authorization = null;
        if (id.Mode == SrtMode.Request)
        {
            if (hub.Find(id.Name) is null)
            {
                return Refused(remote, RejectNotFound, $"no live stream {LogText.Untrusted(id.Name)} to read");
            }
        }
        else
        {
            string key = id.Name;
            switch (_keyAnswers.Recall(key))
            {
                case { IsAllowed: false } refused:
                    return Refused(remote, RejectForbidden, $"publish refused for key {StreamKeys.Redact(key)}: {refused.Reason ?? "unknown stream key"}");
                case { StreamId: { } streamId } when hub.Find(streamId)?.Publisher is { } live && live.SilentFor < hub.Options.StalePublisherTimeout:
                    return Refused(remote, RejectConflict, $"publish refused for key {StreamKeys.Redact(key)}: the stream is already being published from another connection");
            }

            authorization = CheckKeyAsync(key, new PublisherInfo("srt", remote));
        }

        _admitted[socket] = new Admitted(id, remote, addressText, authorization, time.GetTimestamp());
        Signal(); // the loop may be asleep outside libsrt's epoll: the caller is accepted there
        return Accepted;
    }

    /// <summary>Checks a key on the thread pool, and remembers the answer for the next handshakes with it.</summary>
    private Task<PublishAuthorization> CheckKeyAsync(string key, PublisherInfo publisher) => Task.Run(async () =>
    {
        var answer = await authorizer.AuthorizeAsync(Options.App, key, publisher, hub.ShuttingDown).ConfigureAwait(false);
        _keyAnswers.Remember(key, answer);
        return answer;
    });

    private int Refused(string remote, int reject, string reason)
    {
        LogRefusal(remote, $"{reason} (reject code {reject})");
        return reject;
    }

    /// <summary>Creates the connection for a socket srt_accept returned; null when it must close at once.</summary>
    private SrtConnection? Connect(int socket)
    {
        if (!_admitted.TryRemove(socket, out var admitted))
        {
            return null; // never seen by the callback: cannot happen with the callback installed
        }

        if (admission.TryAdmit(admitted.Address) is { } refusal)
        {
            LogRefusal(admitted.Remote, refusal);
            return null;
        }

        long now = time.GetTimestamp();
        if (admitted.StreamId.Mode == SrtMode.Publish)
        {
            return new SrtPublishSession(this, socket, admitted.Remote, admitted.Address, now, admitted.StreamId.Name, admitted.Authorization!);
        }

        if (hub.Find(admitted.StreamId.Name) is { } stream)
        {
            return new SrtReadSession(this, socket, admitted.Remote, admitted.Address, now, stream);
        }

        admission.Leave(admitted.Address);
        LogRefusal(admitted.Remote, $"the stream {LogText.Untrusted(admitted.StreamId.Name)} ended before the caller was accepted");
        return null;
    }

    /// <summary>
    /// Follows the callers admitted by the callback until srt_accept returns them. One whose socket libsrt closed
    /// first failed the rest of the handshake, where libsrt checks the passphrase: counted against its address (which
    /// past its budget may try once a second) and logged. One still there after a minute is forgotten.
    /// </summary>
    private void CheckAdmitted(long now)
    {
        foreach (var (socket, admitted) in _admitted)
        {
            if (LibSrt.GetSocketState(socket) is LibSrt.StatusClosed or LibSrt.StatusNonExistent)
            {
                if (_admitted.TryRemove(socket, out _))
                {
                    admission.HandshakeFailed(admitted.Address);
                    LogRefusal(admitted.Remote, Options.Passphrase is null
                        ? "the handshake failed after the stream id: the caller encrypts and the server has no passphrase, or libsrt refused its settings"
                        : "the handshake failed after the stream id: a wrong or missing passphrase, or libsrt refused the caller's settings");
                }
            }
            else if (time.GetElapsedTime(admitted.At, now) > TimeSpan.FromMinutes(1))
            {
                _admitted.TryRemove(socket, out _);
            }
        }
    }
}
