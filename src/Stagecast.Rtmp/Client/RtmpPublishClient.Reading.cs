using Stagecast.Rtmp.Chunking;
using Stagecast.Rtmp.Messages;
using Stagecast.Rtmp.Messages.Commands;
using Stagecast.Rtmp.Messages.Control;

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
        switch (RtmpMessages.Read(message))
        {
            case SetChunkSize setChunkSize:
                _reader.SetChunkSize(setChunkSize.Size);
                break;
            case PingRequest ping:
                replies.Add(output => _messages.Write(output, new PingResponse(ping.Timestamp)));
                break;
            case ResultCommand result:
                TakePending(result.TransactionId)?.TrySetResult(result);
                break;
            case ErrorCommand error:
                TakePending(error.TransactionId)?.TrySetException(Refused(error.Info, error.Name));
                break;
            case OnStatusCommand { Info.Code: StatusCodes.PublishStart } started:
                _publishStatus.TrySetResult(started);
                break;
            case OnStatusCommand { Info: var info } when info.IsError || info.Code is StatusCodes.UnpublishSuccess or StatusCodes.AppShutdown:
                throw Refused(info, OnStatusCommand.CommandName);
        }
    }

    private static RtmpStatusException Refused(StatusInfo info, string command) =>
        new(info.Code.Length > 0 ? info.Code : command, info.Description.Length > 0 ? info.Description : "refused");

    private TaskCompletionSource<ResultCommand>? TakePending(double transactionId)
    {
        lock (_pending)
        {
            _pending.Remove(transactionId, out var pending);
            return pending;
        }
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
