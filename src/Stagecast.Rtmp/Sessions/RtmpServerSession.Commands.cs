using Stagecast.Media.Amf0;
using Stagecast.Rtmp.Messages;
using Stagecast.Rtmp.Messages.Commands;
using Stagecast.Rtmp.Messages.Control;
using Stagecast.Streaming;
using Stagecast.Streaming.Logging;

namespace Stagecast.Rtmp.Sessions;

/// <summary>NetConnection and NetStream commands: connect, createStream, publish and their companions.</summary>
public sealed partial class RtmpServerSession
{
    private string? _app;
    private uint _nextMessageStreamId = 1;
    private Publisher? _publisher;
    private uint _publishStreamId;
    private CancellationTokenRegistration _revokedRegistration;

    private async ValueTask HandleCommandAsync(RtmpCommand command, uint messageStreamId, CancellationToken cancellationToken)
    {
        switch (command)
        {
            case ConnectCommand connect:
                HandleConnect(connect);
                break;
            case ReleaseStreamCommand or FCPublishCommand or GetStreamLengthCommand:
                Send(ResultCommand.Empty(command.TransactionId));
                break;
            case CreateStreamCommand:
                HandleCreateStream(command.TransactionId);
                break;
            case PublishCommand publish:
                await HandlePublishAsync(publish, messageStreamId, cancellationToken).ConfigureAwait(false);
                break;
            case FCUnpublishCommand or DeleteStreamCommand or CloseStreamCommand:
                Unpublish();
                break;
            case PlayCommand:
                Send(new OnStatusCommand(StatusInfo.Error(StatusCodes.PlayFailed, "Stagecast does not play over RTMP; watch the HLS playback_url")), messageStreamId);
                Close("playback over RTMP requested");
                break;
            case UnknownCommand { TransactionId: > 0 } unknown:
                Send(new ErrorCommand(unknown.TransactionId, StatusInfo.Error(StatusCodes.CallFailed, $"unknown command {unknown.Name}")));
                break;
            default:
                // Answers (_result, _error, onStatus) and unknown notifications: nothing to do for a publisher's server.
                break;
        }
    }

    private void HandleConnect(ConnectCommand command)
    {
        string app = NormalizeApp(command.App);
        if (!string.Equals(app, _options.App, StringComparison.Ordinal))
        {
            string shown = LogText.Untrusted(app);
            Send(new ErrorCommand(command.TransactionId, StatusInfo.Error(StatusCodes.ConnectRejected,
                $"unknown application '{shown}': publish to rtmp://HOST:PORT/{_options.App}/STREAM_KEY")));
            if (MayLogRefusal())
            {
                RtmpLog.ConnectRefused(_logger, _remote, $"unknown application '{shown}' (expected '{_options.App}')");
            }

            Close($"unknown application '{shown}'");
            return;
        }

        _app = app;
        Send(new WindowAcknowledgementSize((uint)_options.WindowAcknowledgementSize));
        Send(new SetPeerBandwidth((uint)_options.WindowAcknowledgementSize, SetPeerBandwidth.Dynamic));
        Send(new SetChunkSize((uint)_options.OutChunkSize));
        _writer.ChunkSize = _options.OutChunkSize;
        var properties = new AmfObject { { "fmsVer", "FMS/3,0,1,123" }, { "capabilities", 31.0 } };
        var information = StatusInfo.Status(StatusCodes.ConnectSuccess, "Connection succeeded.").ToAmf();
        information["objectEncoding"] = command.ObjectEncoding;
        Send(new ResultCommand(command.TransactionId, properties, [information]));
        RtmpLog.Connected(_logger, _remote, app);
    }

    private void HandleCreateStream(double transactionId)
    {
        if (_app is null || _nextMessageStreamId > RtmpLimits.MaxMessageStreams)
        {
            Send(new ErrorCommand(transactionId, StatusInfo.Error(StatusCodes.CallFailed, _app is null ? "connect first" : "too many streams")));
            return;
        }

        Send(new ResultCommand(transactionId, null, [(double)_nextMessageStreamId++]));
    }

    private async ValueTask HandlePublishAsync(PublishCommand command, uint messageStreamId, CancellationToken cancellationToken)
    {
        string key = StripQuery(command.StreamName);
        if (_app is null || messageStreamId == 0 || messageStreamId >= _nextMessageStreamId)
        {
            RefusePublish(messageStreamId, key, "publish before connect/createStream");
            return;
        }

        if (_publisher is not null)
        {
            RefusePublish(messageStreamId, key, "this connection is already publishing");
            return;
        }

        if (key.Length == 0 || key.Length > RtmpLimits.MaxNameLength)
        {
            RefusePublish(messageStreamId, key, "missing or oversized stream key");
            return;
        }

        var info = _overTls ? new PublisherInfo("rtmps", _remote, KeyOverTls: true) : new PublisherInfo("rtmp", _remote);
        // The authorizer may query a database: never on the I/O thread that runs this session between reads.
        string app = _app;
        var authorization = await Task.Run(() => _authorizer.AuthorizeAsync(app, key, info, cancellationToken).AsTask(), cancellationToken).ConfigureAwait(false);
        if (!authorization.IsAllowed)
        {
            RefusePublish(messageStreamId, key, authorization.Reason ?? "unknown stream key");
            return;
        }

        var result = _hub.TryPublish(authorization.StreamId!, info, out var publisher);
        if (publisher is null)
        {
            RefusePublish(messageStreamId, key, "the stream is already being published from another connection");
            return;
        }

        _publisher = publisher;
        _publishStreamId = messageStreamId;
        Volatile.Write(ref _published, true);
        _chunks.PendingLimit = RtmpLimits.MaxPendingMessageBytes; // keyframes may be megabytes
        _revokedRegistration = publisher.Revoked.Register(static state =>
        {
            var session = (RtmpServerSession)state!;
            session.RequestClose(session._publisher?.RevokeReason ?? "disconnected by the server");
        }, this);
        Send(new StreamBegin(messageStreamId));
        Send(new OnStatusCommand(StatusInfo.Status(StatusCodes.PublishStart, "Publishing started.")), messageStreamId);
        RtmpLog.Publishing(_logger, _remote, publisher.Stream.Id, StreamKeys.Redact(key), result);
    }

    private void RefusePublish(uint messageStreamId, string key, string reason)
    {
        if (MayLogRefusal())
        {
            RtmpLog.PublishRefused(_logger, _remote, StreamKeys.Redact(key), reason);
        }

        Send(new OnStatusCommand(StatusInfo.Error(StatusCodes.PublishBadName, reason)), messageStreamId);
        Close($"publish refused: {reason}");
    }

    private void Unpublish()
    {
        if (_publisher is { } publisher)
        {
            RtmpLog.Unpublished(_logger, _remote, publisher.Stream.Id);
            publisher.Unpublish();
            ReleasePublisher();
        }
    }

    private void ReleasePublisher()
    {
        if (_publisher is { } publisher)
        {
            _revokedRegistration.Dispose();
            _publisher = null;
            publisher.Dispose();
        }
    }

    /// <summary>"live", "/live/", "live?token=…" all name the app "live".</summary>
    private static string NormalizeApp(string? app)
    {
        string value = StripQuery(app).Trim('/');
        return value.Length > RtmpLimits.MaxNameLength ? value[..RtmpLimits.MaxNameLength] : value;
    }

    private static string StripQuery(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return string.Empty;
        }

        int query = name.IndexOf('?', StringComparison.Ordinal);
        return query >= 0 ? name[..query] : name;
    }
}
