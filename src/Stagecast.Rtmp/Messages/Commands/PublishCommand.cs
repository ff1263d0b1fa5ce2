using Stagecast.Media.Amf0;

namespace Stagecast.Rtmp.Messages.Commands;

/// <summary>
/// publish (RTMP spec 7.2.2.6), sent on the message stream it publishes to: the stream name (the stream key, maybe
/// with a query) and the publishing type ("live"). Answered with onStatus NetStream.Publish.Start or an error.
/// </summary>
public sealed record PublishCommand(double TransactionId, string? StreamName, string? PublishingType) : RtmpCommand(TransactionId)
{
    public const string CommandName = "publish";

    public override string Name => CommandName;

    /// <summary>On the data chunk stream, as ffmpeg sends it.</summary>
    public override int ChunkStreamId => ChunkStreams.Data;

    protected override void WriteFields(Amf0Writer amf)
    {
        amf.WriteNull();
        amf.WriteValue(StreamName);
        amf.WriteValue(PublishingType);
    }
}
