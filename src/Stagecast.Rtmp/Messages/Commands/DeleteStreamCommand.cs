using Stagecast.Media.Amf0;

namespace Stagecast.Rtmp.Messages.Commands;

/// <summary>deleteStream (RTMP spec 7.2.2.3): the client is done with a message stream.</summary>
public sealed record DeleteStreamCommand(double TransactionId, double? StreamId) : RtmpCommand(TransactionId)
{
    public const string CommandName = "deleteStream";

    public override string Name => CommandName;

    protected override void WriteFields(Amf0Writer amf)
    {
        amf.WriteNull();
        amf.WriteValue(StreamId);
    }
}
