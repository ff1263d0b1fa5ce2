using System.Buffers.Binary;
using Stagecast.Rtmp.Messages;

namespace Stagecast.Rtmp.Sessions;

/// <summary>Dispatch of complete messages by type; protocol control and user control handling.</summary>
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
                HandleData(SkipAmf3Marker(message.Payload));
                break;
            case RtmpMessageType.CommandAmf0:
                await HandleCommandAsync(RtmpCommand.Parse(message.Payload), message.StreamId, cancellationToken).ConfigureAwait(false);
                break;
            case RtmpMessageType.CommandAmf3:
                await HandleCommandAsync(RtmpCommand.Parse(SkipAmf3Marker(message.Payload)), message.StreamId, cancellationToken).ConfigureAwait(false);
                break;
            default:
                HandleControl(message);
                break;
        }

        message.Return();
    }

    private void HandleControl(RtmpMessage message)
    {
        var payload = message.Payload;
        switch (message.Type)
        {
            case RtmpMessageType.SetChunkSize:
                _chunks.SetChunkSize(ProtocolControl.ReadUInt32(payload, message.Type) & 0x7FFFFFFF);
                break;
            case RtmpMessageType.Abort:
                _chunks.Abort(ProtocolControl.ReadUInt32(payload, message.Type));
                break;
            case RtmpMessageType.WindowAcknowledgementSize:
                _peerWindowSize = ProtocolControl.ReadUInt32(payload, message.Type);
                break;
            case RtmpMessageType.UserControl when payload.Length >= 6:
                var type = (UserControlEvent)BinaryPrimitives.ReadUInt16BigEndian(payload);
                if (type == UserControlEvent.PingRequest)
                {
                    ProtocolControl.WriteUserControl(_writer, _transport.Output, UserControlEvent.PingResponse, BinaryPrimitives.ReadUInt32BigEndian(payload[2..]));
                }

                break;
            default:
                // Acknowledgement, Set Peer Bandwidth, shared objects: nothing to do for a publisher.
                break;
        }
    }

    /// <summary>AMF3 command and data messages start with a format byte (0) before AMF0-encoded values.</summary>
    private static ReadOnlySpan<byte> SkipAmf3Marker(ReadOnlySpan<byte> payload) =>
        payload.Length > 0 && payload[0] == 0 ? payload[1..] : payload;
}
