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
/// show (SRT's access control codes: 1400 bad stream id, 1402 too many connections, 1403 key refused, 1404 no such
/// stream, 1409 already published, 1500 the key check failed, 1503 shutting down). It must return quickly: every SRT
/// packet on the port waits meanwhile.
/// </summary>
public sealed partial class SrtServer
{
    private const int RejectBadRequest = 1400;
    private const int RejectOverload = 1402;
    private const int RejectForbidden = 1403;
    private const int RejectNotFound = 1404;
    private const int RejectConflict = 1409;
    private const int RejectInternalError = 1500;
    private const int RejectUnavailable = 1503;
    private const int Accepted = 0;

    /// <summary>Callers admitted by the callback, by socket, until accepted; stale ones (the handshake failed after) are swept.</summary>
    private readonly ConcurrentDictionary<int, Admitted> _admitted = new();

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

    /// <summary>Decides on one caller; returns 0 to let it in, else the reject code.</summary>
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
            var info = new PublisherInfo("srt", remote);
            string key = id.Name;
            authorization = Task.Run(() => authorizer.AuthorizeAsync(Options.App, key, info, hub.ShuttingDown).AsTask());
            if (Answered(authorization, Options.AuthorizationWait))
            {
                if (!authorization.IsCompletedSuccessfully)
                {
                    SrtLog.AuthorizationFailed(logger, authorization.Exception!, remote);
                    return Refused(remote, RejectInternalError, "the stream key could not be checked");
                }

                var answer = authorization.Result;
                if (!answer.IsAllowed)
                {
                    return Refused(remote, RejectForbidden, $"publish refused for key {StreamKeys.Redact(key)}: {answer.Reason ?? "unknown stream key"}");
                }

                if (hub.Find(answer.StreamId!)?.Publisher is { } live && live.SilentFor < hub.Options.StalePublisherTimeout)
                {
                    return Refused(remote, RejectConflict, $"publish refused for key {StreamKeys.Redact(key)}: the stream is already being published from another connection");
                }
            }
        }

        _admitted[socket] = new Admitted(id, remote, addressText, authorization, time.GetTimestamp());
        _wake.Set(); // the loop may be asleep outside libsrt's epoll: the caller is accepted there
        return Accepted;
    }

    private static bool Answered(Task task, TimeSpan wait)
    {
        try
        {
            return task.Wait(wait);
        }
        catch (AggregateException)
        {
            return true; // it failed: an answer too
        }
    }

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

    /// <summary>Forgets callers admitted over a minute ago that never came out of srt_accept (their handshake failed after the callback).</summary>
    private void SweepAdmitted(long now)
    {
        foreach (var (socket, admitted) in _admitted)
        {
            if (time.GetElapsedTime(admitted.At, now) > TimeSpan.FromMinutes(1))
            {
                _admitted.TryRemove(socket, out _);
            }
        }
    }
}
