using Stagecast.Media.Amf0;

namespace Stagecast.Rtmp.Messages.Commands;

/// <summary>releaseStream (FMLE, OBS): asks the server to free a stream name before publishing it; answered with an empty _result.</summary>
public sealed record ReleaseStreamCommand(double TransactionId, string? StreamName) : RtmpCommand(TransactionId)
{
    public const string CommandName = "releaseStream";

    public override string Name => CommandName;

    protected override void WriteFields(Amf0Writer amf)
    {
        amf.WriteNull();
        amf.WriteValue(StreamName);
    }
}
