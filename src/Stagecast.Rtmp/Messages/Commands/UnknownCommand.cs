using Stagecast.Media.Amf0;

namespace Stagecast.Rtmp.Messages.Commands;

/// <summary>A command nothing here knows; answered with _error when it expects an answer (a transaction id above 0).</summary>
public sealed record UnknownCommand(string CommandName, double TransactionId) : RtmpCommand(TransactionId)
{
    public override string Name => CommandName;

    protected override void WriteFields(Amf0Writer amf) => amf.WriteNull();
}
