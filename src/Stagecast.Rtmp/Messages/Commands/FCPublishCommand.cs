using Stagecast.Media.Amf0;

namespace Stagecast.Rtmp.Messages.Commands;

/// <summary>FCPublish (FMLE, OBS): announces the stream name about to be published; answered with an empty _result.</summary>
public sealed record FCPublishCommand(double TransactionId, string? StreamName) : RtmpCommand(TransactionId)
{
    public const string CommandName = "FCPublish";

    public override string Name => CommandName;

    protected override void WriteFields(Amf0Writer amf)
    {
        amf.WriteNull();
        amf.WriteValue(StreamName);
    }
}
