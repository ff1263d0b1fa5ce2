using Stagecast.Media.Amf0;

namespace Stagecast.Rtmp.Messages.Commands;

/// <summary>A command's parts after its name (RTMP spec 7.1.1): transaction id, command object and up to 16 arguments.</summary>
public sealed record CommandFields(double TransactionId, AmfObject? CommandObject, IReadOnlyList<object?> Arguments)
{
    public string? String(int index) => index < Arguments.Count ? Arguments[index] as string : null;

    public double? Number(int index) => index < Arguments.Count ? Arguments[index] as double? : null;

    public AmfObject? Object(int index) => index < Arguments.Count ? Arguments[index] as AmfObject : null;
}
