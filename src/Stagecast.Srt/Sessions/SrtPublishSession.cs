using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Stagecast.Media;
using Stagecast.Srt.Native;
using Stagecast.Streaming;
using Stagecast.Streaming.MpegTs;

namespace Stagecast.Srt.Sessions;

/// <summary>
/// A caller publishing MPEG-TS with a stream key. Its key was checked in the handshake, or is still being checked
/// (then what it sends meanwhile is dropped); once allowed it publishes to the hub through <see cref="TsIngest"/>.
/// Malformed media closes this connection only. MPEG-TS has no way to say "unpublish", and libsrt reports a caller
/// that closed (SRT's shutdown message) as it reports a lost one, so the time since the last message tells them
/// apart: a connection found broken while media was still arriving was closed by the caller, and its stream ends;
/// one found broken after the peer idle timeout of silence was lost, and its stream waits for the publisher to come
/// back (the hub's reconnect window).
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "OnClosed, the session's end, disposes the ingest")]
internal sealed class SrtPublishSession(
    ISrtConnectionHost host, int socket, string remote, string address, long acceptedAt, string key, Task<PublishAuthorization> authorization)
    : SrtConnection(socket, remote, address, acceptedAt)
{
    private Publisher? _publisher;
    private TsIngest? _ingest;
    private CancellationTokenRegistration _revoked;
    private long _lastActivity = acceptedAt;

    public Publisher? Publisher => _publisher;

    public override void Start()
    {
        if (authorization.IsCompleted)
        {
            Begin();
        }
        else
        {
            authorization.ContinueWith(static (_, state) => ((SrtPublishSession)state!).BeginOnLoop(), this, TaskScheduler.Default);
        }
    }

    public override void OnReadable(byte[] buffer)
    {
        while (!IsClosed)
        {
            int received = LibSrt.ReceiveMessage(Socket, ref buffer[0], buffer.Length);
            if (received < 0)
            {
                return; // nothing more now, or the connection broke (the loop sees the error event)
            }

            _lastActivity = host.Time.GetTimestamp();
            if (_ingest is null)
            {
                continue; // the key is still being checked
            }

            try
            {
                _ingest.Push(buffer.AsSpan(0, received));
            }
            catch (MediaFormatException ex)
            {
                _publisher?.Fail($"malformed media: {ex.Message}");
                host.CloseBroken(this, $"malformed MPEG-TS: {ex.Message}");
                return;
            }
        }
    }

    public override string OnDisconnected(long now)
    {
        if (_publisher is { } publisher && host.Time.GetElapsedTime(_lastActivity, now) < PeerIdleTimeout / 2)
        {
            SrtLog.Unpublished(host.Logger, Remote, publisher.Stream.Id);
            publisher.Unpublish();
            return "the caller closed the connection";
        }

        return "the connection was lost";
    }

    public override string? CheckTimeouts(long now)
    {
        if ((_ingest?.Frames ?? 0) == 0 && host.Time.GetElapsedTime(AcceptedAt, now) > host.FirstMediaDeadline)
        {
            return $"no video or audio within {host.FirstMediaDeadline.TotalSeconds} s of connecting";
        }

        return host.Time.GetElapsedTime(_lastActivity, now) > host.IdleTimeout ? $"nothing received for {host.IdleTimeout.TotalSeconds} s" : null;
    }

    protected override void OnClosed(string reason)
    {
        _revoked.Dispose();
        if (_publisher is { } publisher)
        {
            _publisher = null;
            publisher.Dispose();
        }

        if (_ingest is { } ingest)
        {
            _ingest = null;
            _ = ingest.DisposeAsync().AsTask();
        }
    }

    private void BeginOnLoop() => host.Post(Begin);

    private void RevokedOnLoop() => host.Post(OnRevoked);

    private void Begin()
    {
        if (IsClosed)
        {
            return;
        }

        PublishAuthorization allowed;
        try
        {
            allowed = authorization.GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            SrtLog.AuthorizationFailed(host.Logger, ex, Remote);
            host.Refuse(this, "the stream key could not be checked");
            return;
        }

        if (!allowed.IsAllowed)
        {
            host.Refuse(this, $"publish refused for key {StreamKeys.Redact(key)}: {allowed.Reason ?? "unknown stream key"}");
            return;
        }

        var result = host.Hub.TryPublish(allowed.StreamId!, new PublisherInfo("srt", Remote), out var publisher);
        if (publisher is null)
        {
            host.Refuse(this, $"publish refused for key {StreamKeys.Redact(key)}: the stream is already being published from another connection");
            return;
        }

        _publisher = publisher;
        _ingest = new TsIngest(publisher, host.Opus, (kind, detail) => SrtLog.Unsupported(host.Logger, Remote, kind, detail, publisher.Stream.Id));
        _revoked = publisher.Revoked.Register(static state => ((SrtPublishSession)state!).RevokedOnLoop(), this);
        SrtLog.Publishing(host.Logger, Remote, publisher.Stream.Id, StreamKeys.Redact(key), result);
    }

    private void OnRevoked()
    {
        if (!IsClosed && _publisher is { } publisher)
        {
            string reason = publisher.RevokeReason ?? "disconnected by the server";
            SrtLog.Revoked(host.Logger, Remote, publisher.Stream.Id, reason);
            host.CloseQuietly(this, reason);
        }
    }
}
