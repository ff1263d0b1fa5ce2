using System.Buffers;
using System.Collections.Frozen;
using Stagecast.Media;
using Stagecast.Media.Amf0;
using Stagecast.Rtmp.Chunking;

namespace Stagecast.Rtmp.Messages.Commands;

/// <summary>
/// An AMF0 command message (RTMP spec 7.1.1, 7.2): one record per command, each with its fields, read through one
/// table from the command's name and written by itself. Handlers switch on the record type, never on names.
/// </summary>
public abstract record RtmpCommand(double TransactionId) : IRtmpMessage
{
    private const int MaxArguments = 16;

    private static readonly FrozenDictionary<string, Func<CommandFields, RtmpCommand>> Readers =
        new Dictionary<string, Func<CommandFields, RtmpCommand>>(StringComparer.Ordinal)
        {
            [ConnectCommand.CommandName] = ConnectCommand.From,
            [CreateStreamCommand.CommandName] = f => new CreateStreamCommand(f.TransactionId),
            [PublishCommand.CommandName] = f => new PublishCommand(f.TransactionId, f.String(0), f.String(1)),
            [ReleaseStreamCommand.CommandName] = f => new ReleaseStreamCommand(f.TransactionId, f.String(0)),
            [FCPublishCommand.CommandName] = f => new FCPublishCommand(f.TransactionId, f.String(0)),
            [FCUnpublishCommand.CommandName] = f => new FCUnpublishCommand(f.TransactionId, f.String(0)),
            [GetStreamLengthCommand.CommandName] = f => new GetStreamLengthCommand(f.TransactionId, f.String(0)),
            [DeleteStreamCommand.CommandName] = f => new DeleteStreamCommand(f.TransactionId, f.Number(0)),
            [CloseStreamCommand.CommandName] = f => new CloseStreamCommand(f.TransactionId),
            [PlayCommand.CommandName] = f => new PlayCommand(f.TransactionId, f.String(0)),
            [PlayCommand.Play2CommandName] = f => new PlayCommand(f.TransactionId, f.Object(0)?.GetString("streamName")),
            [ResultCommand.CommandName] = f => new ResultCommand(f.TransactionId, f.CommandObject, f.Arguments),
            [ErrorCommand.CommandName] = f => new ErrorCommand(f.TransactionId, StatusInfo.From(f.Object(0))),
            [OnStatusCommand.CommandName] = f => new OnStatusCommand(StatusInfo.From(f.Object(0))),
        }.ToFrozenDictionary(StringComparer.Ordinal);

    public RtmpMessageType Type => RtmpMessageType.CommandAmf0;

    public virtual int ChunkStreamId => ChunkStreams.Command;

    /// <summary>The command's name on the wire.</summary>
    public abstract string Name { get; }

    /// <summary>Reads an AMF0 command body (AMF3 command messages: the body after their format byte).</summary>
    public static RtmpCommand Read(ReadOnlySpan<byte> payload)
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
            while (!reader.IsAtEnd && arguments.Count < MaxArguments)
            {
                arguments.Add(reader.ReadValue());
            }

            var fields = new CommandFields(transactionId, commandObject, arguments);
            return Readers.TryGetValue(name, out var read) ? read(fields) : new UnknownCommand(name, transactionId);
        }
        catch (MediaFormatException ex)
        {
            throw new RtmpProtocolException($"malformed command: {ex.Message}");
        }
    }

    public void Write(IBufferWriter<byte> payload)
    {
        var amf = new Amf0Writer(payload);
        amf.WriteString(Name);
        amf.WriteNumber(TransactionId);
        WriteFields(amf);
    }

    /// <summary>Writes the command object (null when the command has none) and the arguments.</summary>
    protected abstract void WriteFields(Amf0Writer amf);
}
