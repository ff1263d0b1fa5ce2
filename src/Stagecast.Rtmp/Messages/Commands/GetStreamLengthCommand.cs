using Stagecast.Media.Amf0;

namespace Stagecast.Rtmp.Messages.Commands;

/// <summary>getStreamLength (players, some encoders): answered with an empty _result, a live stream has no length.</summary>
public sealed record GetStreamLengthCommand(double TransactionId, string? StreamName) : RtmpCommand(TransactionId)
{
    public const string CommandName = "getStreamLength";

    public override string Name => CommandName;

    protected override void WriteFields(Amf0Writer amf)
    {
        amf.WriteNull();
        amf.WriteValue(StreamName);
    }
}
