using Stagecast.Media.Amf0;

namespace Stagecast.Rtmp.Messages.Commands;

/// <summary>createStream (RTMP spec 7.2.1.3): asks for a message stream; the _result carries its id.</summary>
public sealed record CreateStreamCommand(double TransactionId) : RtmpCommand(TransactionId)
{
    public const string CommandName = "createStream";

    public override string Name => CommandName;

    protected override void WriteFields(Amf0Writer amf)
    {
        amf.WriteNull();
    }
}
