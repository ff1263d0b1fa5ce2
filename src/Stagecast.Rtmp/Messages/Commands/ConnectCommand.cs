using Stagecast.Media.Amf0;

namespace Stagecast.Rtmp.Messages.Commands;

/// <summary>connect (RTMP spec 7.2.1.1): the client names the application; answered by <see cref="ResultCommand"/> or <see cref="ErrorCommand"/>.</summary>
public sealed record ConnectCommand(double TransactionId, string? App, string? TcUrl, string? FlashVer, double ObjectEncoding) : RtmpCommand(TransactionId)
{
    public const string CommandName = "connect";

    public override string Name => CommandName;

    internal static ConnectCommand From(CommandFields fields)
    {
        var properties = fields.CommandObject;
        return new ConnectCommand(fields.TransactionId, properties?.GetString("app"), properties?.GetString("tcUrl"),
            properties?.GetString("flashVer"), properties?.GetNumber("objectEncoding") ?? 0);
    }

    protected override void WriteFields(Amf0Writer amf) => amf.WriteObject(new AmfObject
    {
        { "app", App },
        { "type", "nonprivate" },
        { "flashVer", FlashVer },
        { "tcUrl", TcUrl },
    });
}
