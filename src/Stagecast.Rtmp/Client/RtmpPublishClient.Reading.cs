using System.Buffers.Binary;
using Stagecast.Rtmp.Messages;

namespace Stagecast.Rtmp.Client;

/// <summary>What the server sends back: control messages, command results and status events.</summary>
public sealed partial class RtmpPublishClient
{
    private async Task ReadLoopAsync()
    {
        var input = _transport.Input;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(_closed.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                var replies = new List<Action<System.IO.Pipelines.PipeWriter>>();
                try
                {
                    while (_reader.TryReadMessage(ref buffer, out var message))
                    {
                        try
                        {
                            Handle(message, replies);
                        }
                        finally
                        {
                            message.Return();
                        }
                    }
                }
                finally
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                }

                foreach (var reply in replies)
                {
                    await WriteAsync(reply, _closed.Token).ConfigureAwait(false);
                }

                if (result.IsCompleted)
                {
                    throw new IOException("the server closed the connection");
                }
            }
        }
        catch (OperationCanceledException) when (_closed.IsCancellationRequested)
        {
            // Closed by us.
        }
        catch (Exception ex)
        {
            FailPending(ex);
            throw;
        }
    }

    private void Handle(RtmpMessage message, List<Action<System.IO.Pipelines.PipeWriter>> replies)
    {
        var payload = message.Payload;
        switch (message.Type)
        {
            case RtmpMessageType.SetChunkSize:
                _reader.SetChunkSize(ProtocolControl.ReadUInt32(payload, message.Type) & 0x7FFFFFFF);
                break;
            case RtmpMessageType.UserControl when payload.Length >= 6
                && (UserControlEvent)BinaryPrimitives.ReadUInt16BigEndian(payload) == UserControlEvent.PingRequest:
                uint value = BinaryPrimitives.ReadUInt32BigEndian(payload[2..]);
                replies.Add(output => ProtocolControl.WriteUserControl(_writer, output, UserControlEvent.PingResponse, value));
                break;
            case RtmpMessageType.CommandAmf0:
                HandleCommand(RtmpCommand.Parse(payload));
                break;
            case RtmpMessageType.CommandAmf3 when payload.Length > 0:
                HandleCommand(RtmpCommand.Parse(payload[1..]));
                break;
        }
    }

    private void HandleCommand(RtmpCommand command)
    {
        switch (command.Name)
        {
            case "_result":
            case "_error":
                TaskCompletionSource<RtmpCommand>? pending;
                lock (_pending)
                {
                    _pending.Remove(command.TransactionId, out pending);
                }

                if (command.Name == "_result")
                {
                    pending?.TrySetResult(command);
                }
                else
                {
                    pending?.TrySetException(StatusError(command));
                }

                break;
            case "onStatus":
                var info = command.Arguments.Count > 0 ? command.Arguments[0] as Media.Amf0.AmfObject : null;
                string code = info?.GetString("code") ?? string.Empty;
                if (code == StatusCodes.PublishStart)
                {
                    _publishStatus.TrySetResult(command);
                }
                else if (info?.GetString("level") == "error" || code is StatusCodes.UnpublishSuccess or StatusCodes.AppShutdown)
                {
                    throw StatusError(command);
                }

                break;
        }
    }

    private static RtmpStatusException StatusError(RtmpCommand command)
    {
        var info = command.Arguments.Count > 0 ? command.Arguments[0] as Media.Amf0.AmfObject : null;
        return new RtmpStatusException(info?.GetString("code") ?? command.Name, info?.GetString("description") ?? "refused");
    }

    private void FailPending(Exception exception)
    {
        _publishStatus.TrySetException(exception);
        lock (_pending)
        {
            foreach (var pending in _pending.Values)
            {
                pending.TrySetException(exception);
            }

            _pending.Clear();
        }
    }
}
