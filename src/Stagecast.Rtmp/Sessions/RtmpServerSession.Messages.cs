using Stagecast.Rtmp.Chunking;
using Stagecast.Rtmp.Messages;
using Stagecast.Rtmp.Messages.Commands;
using Stagecast.Rtmp.Messages.Control;

namespace Stagecast.Rtmp.Sessions;

/// <summary>Dispatch of complete messages: media and data as FLV bodies, everything else by its type.</summary>
public sealed partial class RtmpServerSession
{
    private async ValueTask HandleMessageAsync(RtmpMessage message, CancellationToken cancellationToken)
    {
        switch (message.Type)
        {
            case RtmpMessageType.Audio:
            case RtmpMessageType.Video:
                HandleMedia(message); // takes ownership of the buffer
                return;
            case RtmpMessageType.Aggregate:
                HandleAggregate(message);
                break;
            case RtmpMessageType.DataAmf0:
                HandleData(message.Payload);
                break;
            case RtmpMessageType.DataAmf3:
                HandleData(RtmpMessages.SkipAmf3Format(message.Payload));
                break;
            default:
                await HandleAsync(RtmpMessages.Read(message), message.StreamId, cancellationToken).ConfigureAwait(false);
                break;
        }

        message.Return();
    }

    private async ValueTask HandleAsync(IRtmpMessage? message, uint messageStreamId, CancellationToken cancellationToken)
    {
        switch (message)
        {
            case RtmpCommand command:
                await HandleCommandAsync(command, messageStreamId, cancellationToken).ConfigureAwait(false);
                break;
            case SetChunkSize setChunkSize:
                _chunks.SetChunkSize(setChunkSize.Size);
                break;
            case Abort abort:
                _chunks.Abort(abort.ChunkStream);
                break;
            case WindowAcknowledgementSize window:
                _peerWindowSize = window.Size;
                break;
            case PingRequest ping:
                Send(new PingResponse(ping.Timestamp));
                break;
            default:
                // Acknowledgement, Set Peer Bandwidth, other user control events, shared objects: nothing to do for a publisher.
                break;
        }
    }

    private void Send<T>(T message, uint messageStreamId = 0)
        where T : IRtmpMessage =>
        _messages.Write(_transport.Output, message, messageStreamId);
}
