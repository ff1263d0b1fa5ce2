using Stagecast.Media.Amf0;

namespace Stagecast.Rtmp.Messages.Commands;

/// <summary>play or play2 (RTMP spec 7.2.2.1, 7.2.2.2): a player asks for a stream (Stagecast refuses: it plays over HLS).</summary>
public sealed record PlayCommand(double TransactionId, string? StreamName) : RtmpCommand(TransactionId)
{
    public const string CommandName = "play";

    /// <summary>play2 is read as play: its stream name is inside its parameters object.</summary>
    public const string Play2CommandName = "play2";

    public override string Name => CommandName;

    protected override void WriteFields(Amf0Writer amf)
    {
        amf.WriteNull();
        amf.WriteValue(StreamName);
    }
}
