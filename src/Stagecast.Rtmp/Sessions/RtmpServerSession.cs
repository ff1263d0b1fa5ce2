using System.Diagnostics.CodeAnalysis;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Stagecast.Media;
using Stagecast.Rtmp.Chunking;
using Stagecast.Rtmp.Handshake;
using Stagecast.Rtmp.Messages;
using Stagecast.Rtmp.Messages.Commands;
using Stagecast.Rtmp.Messages.Control;
using Stagecast.Streaming;
using Stagecast.Streaming.Logging;

namespace Stagecast.Rtmp.Sessions;

/// <summary>
/// One RTMP connection on the server: handshake, then messages, then commands and media. It owns nothing
/// network-specific beyond the duplex pipe, so tests drive it over in-memory pipes. Protocol violations and
/// malformed media close this connection only; the reason is logged once.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "RunAsync owns the chunk reader and disposes it when the session ends")]
public sealed partial class RtmpServerSession
{
    private const string ShuttingDown = "server shutting down";

    private readonly IDuplexPipe _transport;
    private readonly StreamHub _hub;
    private readonly IPublishAuthorizer _authorizer;
    private readonly RtmpServerOptions _options;
    private readonly TimeProvider _time;
    private readonly RtmpSessionWatchdog _watchdog;
    private readonly ILogger _logger;
    private readonly string _remote;
    private readonly bool _overTls;
    private readonly ServerHandshake _handshake = new();
    private readonly ChunkReader _chunks;
    private readonly long _acceptedAt;
    private readonly LogLimiter? _refusals;
    private bool _published;
    private readonly ChunkWriter _writer = new();
    private readonly MessageWriter _messages;
    private long _lastActivity;
    private long _bytesReceived;
    private long _bytesAcknowledged;
    private uint _peerWindowSize;
    private string? _closeReason;
    private bool _closing;

    public RtmpServerSession(
        IDuplexPipe transport,
        StreamHub hub,
        IPublishAuthorizer authorizer,
        RtmpServerOptions options,
        TimeProvider time,
        RtmpSessionWatchdog watchdog,
        ILogger logger,
        string remote,
        IBufferBudget? budget = null,
        LogLimiter? refusals = null,
        bool overTls = false)
    {
        _refusals = refusals;
        _overTls = overTls;
        _chunks = new ChunkReader(budget) { PendingLimit = options.MaxBufferedBytesBeforePublish };
        _transport = transport;
        _hub = hub;
        _authorizer = authorizer;
        _options = options;
        _time = time;
        _watchdog = watchdog;
        _logger = logger;
        _remote = remote;
        _messages = new MessageWriter(_writer);
        _lastActivity = time.GetTimestamp();
        _acceptedAt = _lastActivity;
    }

    /// <summary>The stream this connection publishes, if any.</summary>
    public Publisher? Publisher => _publisher;

    /// <summary>Runs the session until the peer leaves, breaks the protocol, is disconnected, or the token fires.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var input = _transport.Input;
        string closeReason = "peer closed the connection";
        using var shutdown = cancellationToken.UnsafeRegister(static state => ((RtmpServerSession)state!).RequestClose(ShuttingDown), this);
        try
        {
            _watchdog.Watch(this);
            while (!_closing)
            {
                var result = await input.ReadAsync(CancellationToken.None).ConfigureAwait(false);
                Volatile.Write(ref _lastActivity, _time.GetTimestamp());
                if (result.IsCanceled)
                {
                    closeReason = Volatile.Read(ref _closeReason) ?? "cancelled";
                    await OnCancelledAsync(closeReason).ConfigureAwait(false);
                    break;
                }

                var buffer = result.Buffer;
                long before = buffer.Length;
                try
                {
                    if (!_handshake.IsComplete)
                    {
                        _handshake.TryAdvance(ref buffer, _transport.Output);
                    }

                    while (_handshake.IsComplete && !_closing && _chunks.TryReadMessage(ref buffer, out var message))
                    {
                        await HandleMessageAsync(message, cancellationToken).ConfigureAwait(false);
                    }
                }
                finally
                {
                    _bytesReceived += before - buffer.Length;
                    input.AdvanceTo(buffer.Start, buffer.End);
                }

                SendAcknowledgementIfDue();
                await _transport.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (result.IsCompleted)
                {
                    break;
                }
            }

            if (_closing)
            {
                closeReason = _closeReason ?? closeReason;
            }
        }
        catch (Exception ex) when (ex is RtmpProtocolException or MediaFormatException)
        {
            closeReason = ex.Message;
            if (MayLogRefusal())
            {
                RtmpLog.ProtocolViolation(_logger, _remote, ex.Message);
            }

            _publisher?.Fail(ex is MediaFormatException ? $"malformed media: {ex.Message}" : $"RTMP protocol error: {ex.Message}");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            closeReason = ShuttingDown;
            await TrySendShutdownAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ConnectionAbortedException or InvalidOperationException)
        {
            closeReason = ex.Message;
        }
        finally
        {
            _watchdog.Forget(this);
            ReleasePublisher();
            _chunks.Dispose();
            RtmpLog.Closed(_logger, _remote, closeReason);
        }
    }

    /// <summary>Closes the session after the current message (used after a refusal has been sent).</summary>
    private void Close(string reason)
    {
        _closeReason ??= reason;
        _closing = true;
    }

    /// <summary>
    /// Asks the read loop to stop from another thread (revocation, timeouts, shutdown). The loop resumes on the
    /// thread pool, never on the caller's stack: transports run the reader inline, and callers may hold locks.
    /// </summary>
    private void RequestClose(string reason)
    {
        Interlocked.CompareExchange(ref _closeReason, reason, null);
        ThreadPool.UnsafeQueueUserWorkItem(static input => input.CancelPendingRead(), _transport.Input, preferLocal: false);
    }

    /// <summary>Refusals and protocol errors share one log budget across connections; a flood is summarised.</summary>
    private bool MayLogRefusal()
    {
        if (_refusals is null)
        {
            return true;
        }

        if (!_refusals.TryLog(out long suppressed))
        {
            return false;
        }

        if (suppressed > 0)
        {
            RtmpLog.Suppressed(_logger, suppressed);
        }

        return true;
    }

    /// <summary>Closes the session past its setup deadline or idle timeout (<see cref="RtmpSessionWatchdog"/>, once a second).</summary>
    internal void CheckTimeouts()
    {
        var idle = _time.GetElapsedTime(Volatile.Read(ref _lastActivity));
        if (!Volatile.Read(ref _published) && _time.GetElapsedTime(_acceptedAt) > _options.SetupDeadline)
        {
            RequestClose($"did not complete the handshake, connect and publish within {_options.SetupDeadline.TotalSeconds} s");
        }
        else if (idle > _options.IdleTimeout)
        {
            RequestClose($"nothing received for {_options.IdleTimeout.TotalSeconds} s");
        }
    }

    private async ValueTask OnCancelledAsync(string reason)
    {
        if (_publisher is { } publisher && publisher.Revoked.IsCancellationRequested)
        {
            RtmpLog.Revoked(_logger, _remote, publisher.Stream.Id, reason);
            Send(new OnStatusCommand(StatusInfo.Error(StatusCodes.UnpublishSuccess, reason)), _publishStreamId);
            await FlushQuietlyAsync().ConfigureAwait(false);
        }
        else if (reason == ShuttingDown)
        {
            // The publisher is let go without unpublishing: the hub ends every stream itself, saying why.
            await TrySendShutdownAsync().ConfigureAwait(false);
        }
        else if (MayLogRefusal())
        {
            RtmpLog.ProtocolViolation(_logger, _remote, reason);
        }
    }

    private async ValueTask TrySendShutdownAsync()
    {
        if (_handshake.IsComplete)
        {
            Send(new OnStatusCommand(StatusInfo.Status(StatusCodes.AppShutdown, "server shutting down")), _publishStreamId);
            await FlushQuietlyAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask FlushQuietlyAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await _transport.Output.FlushAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
        {
            // The peer is gone or not reading; nothing more to tell it.
        }
    }

    private void SendAcknowledgementIfDue()
    {
        if (_peerWindowSize > 0 && _bytesReceived - _bytesAcknowledged >= _peerWindowSize)
        {
            _bytesAcknowledged = _bytesReceived;
            Send(new Acknowledgement(unchecked((uint)_bytesReceived)));
        }
    }
}
