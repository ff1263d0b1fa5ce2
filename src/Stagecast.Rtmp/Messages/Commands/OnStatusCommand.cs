using Stagecast.Media.Amf0;

namespace Stagecast.Rtmp.Messages.Commands;

/// <summary>onStatus (RTMP spec 7.2.2): a NetStream event on a message stream (publish started, refused, ended).</summary>
public sealed record OnStatusCommand(StatusInfo Info) : RtmpCommand(0)
{
    public const string CommandName = "onStatus";

    public override string Name => CommandName;

    public override int ChunkStreamId => ChunkStreams.Data;

    protected override void WriteFields(Amf0Writer amf)
    {
        amf.WriteNull();
        amf.WriteObject(Info.ToAmf());
    }
}
