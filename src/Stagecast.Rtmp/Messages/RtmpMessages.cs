using Stagecast.Rtmp.Chunking;
using Stagecast.Rtmp.Messages.Commands;
using Stagecast.Rtmp.Messages.Control;

namespace Stagecast.Rtmp.Messages;

/// <summary>Reads a received message into its type.</summary>
public static class RtmpMessages
{
    /// <summary>
    /// The typed form of a protocol control message, user control event or command; null for media, data and
    /// aggregate messages (read as FLV bodies), shared objects and events nothing here acts on. Malformed payloads
    /// throw <see cref="RtmpProtocolException"/>.
    /// </summary>
    public static IRtmpMessage? Read(in RtmpMessage message)
    {
        var payload = message.Payload;
        return message.Type switch
        {
            RtmpMessageType.SetChunkSize => SetChunkSize.Read(payload),
            RtmpMessageType.Abort => Abort.Read(payload),
            RtmpMessageType.Acknowledgement => Acknowledgement.Read(payload),
            RtmpMessageType.WindowAcknowledgementSize => WindowAcknowledgementSize.Read(payload),
            RtmpMessageType.SetPeerBandwidth => SetPeerBandwidth.Read(payload),
            RtmpMessageType.UserControl => UserControl.Read(payload),
            RtmpMessageType.CommandAmf0 => RtmpCommand.Read(payload),
            RtmpMessageType.CommandAmf3 => RtmpCommand.Read(SkipAmf3Format(payload)),
            _ => null,
        };
    }

    /// <summary>AMF3 command and data messages start with a format byte (0) before AMF0-encoded values.</summary>
    public static ReadOnlySpan<byte> SkipAmf3Format(ReadOnlySpan<byte> payload) =>
        payload.Length > 0 && payload[0] == 0 ? payload[1..] : payload;
}
