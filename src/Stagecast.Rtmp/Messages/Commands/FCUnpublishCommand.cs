using Stagecast.Media.Amf0;

namespace Stagecast.Rtmp.Messages.Commands;

/// <summary>FCUnpublish (FMLE, OBS): the client is about to stop publishing.</summary>
public sealed record FCUnpublishCommand(double TransactionId, string? StreamName) : RtmpCommand(TransactionId)
{
    public const string CommandName = "FCUnpublish";

    public override string Name => CommandName;

    protected override void WriteFields(Amf0Writer amf)
    {
        amf.WriteNull();
        amf.WriteValue(StreamName);
    }
}
