using Stagecast.Media.Amf0;

namespace Stagecast.Rtmp.Messages.Commands;

/// <summary>
/// _result: the answer to the command with the same transaction id: connect's server properties and status, the
/// new stream id of createStream (<see cref="StreamId"/>), nothing for the others.
/// </summary>
public sealed record ResultCommand(double TransactionId, AmfObject? Properties, IReadOnlyList<object?> Values) : RtmpCommand(TransactionId)
{
    public const string CommandName = "_result";

    public override string Name => CommandName;

    public double? StreamId => Values.Count > 0 ? Values[0] as double? : null;

    /// <summary>The answer to a command that needs none but expects one (releaseStream, FCPublish, getStreamLength).</summary>
    public static ResultCommand Empty(double transactionId) => new(transactionId, null, [AmfUndefined.Value]);

    protected override void WriteFields(Amf0Writer amf)
    {
        amf.WriteValue(Properties);
        foreach (object? value in Values)
        {
            amf.WriteValue(value);
        }
    }
}
