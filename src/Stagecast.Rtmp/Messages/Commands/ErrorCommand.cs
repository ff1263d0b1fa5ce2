using Stagecast.Media.Amf0;

namespace Stagecast.Rtmp.Messages.Commands;

/// <summary>_error: the command with the same transaction id failed, and why.</summary>
public sealed record ErrorCommand(double TransactionId, StatusInfo Info) : RtmpCommand(TransactionId)
{
    public const string CommandName = "_error";

    public override string Name => CommandName;

    protected override void WriteFields(Amf0Writer amf)
    {
        amf.WriteNull();
        amf.WriteObject(Info.ToAmf());
    }
}
