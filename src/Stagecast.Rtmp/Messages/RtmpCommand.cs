using Stagecast.Media;
using Stagecast.Media.Amf0;

namespace Stagecast.Rtmp.Messages;

/// <summary>An AMF0 command message (RTMP spec 7.1.1): name, transaction id, command object and arguments.</summary>
public sealed class RtmpCommand
{
    public required string Name { get; init; }

    public required double TransactionId { get; init; }

    public AmfObject? CommandObject { get; init; }

    public required IReadOnlyList<object?> Arguments { get; init; }

    public string? StringArgument(int index) => index < Arguments.Count ? Arguments[index] as string : null;

    public double? NumberArgument(int index) => index < Arguments.Count ? Arguments[index] as double? : null;

    /// <summary>Parses an AMF0 command body; AMF3 command messages pass the body after their leading format byte.</summary>
    public static RtmpCommand Parse(ReadOnlySpan<byte> payload)
    {
        if (payload.Length > RtmpLimits.MaxCommandSize)
        {
            throw new RtmpProtocolException($"command of {payload.Length} bytes exceeds {RtmpLimits.MaxCommandSize}");
        }

        try
        {
            var reader = new Amf0Reader(payload);
            string name = reader.ReadString();
            double transactionId = reader.IsAtEnd ? 0 : reader.ReadValue() as double? ?? 0;
            var commandObject = reader.IsAtEnd ? null : reader.ReadValue() as AmfObject;
            var arguments = new List<object?>();
            while (!reader.IsAtEnd && arguments.Count < 16)
            {
                arguments.Add(reader.ReadValue());
            }

            return new RtmpCommand { Name = name, TransactionId = transactionId, CommandObject = commandObject, Arguments = arguments };
        }
        catch (MediaFormatException ex)
        {
            throw new RtmpProtocolException($"malformed command: {ex.Message}");
        }
    }
}
