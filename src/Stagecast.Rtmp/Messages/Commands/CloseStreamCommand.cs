using Stagecast.Media.Amf0;

namespace Stagecast.Rtmp.Messages.Commands;

/// <summary>closeStream: the client stops using a message stream (sent by some players and encoders).</summary>
public sealed record CloseStreamCommand(double TransactionId) : RtmpCommand(TransactionId)
{
    public const string CommandName = "closeStream";

    public override string Name => CommandName;

    protected override void WriteFields(Amf0Writer amf)
    {
        amf.WriteNull();
    }
}
