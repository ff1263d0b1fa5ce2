using Stagecast.Media.Amf0;

namespace Stagecast.Rtmp.Messages.Commands;

/// <summary>The information object of onStatus, _error and a connect's _result: level, code (<see cref="StatusCodes"/>) and description.</summary>
public sealed record StatusInfo(string Level, string Code, string Description)
{
    public static StatusInfo Status(string code, string description) => new("status", code, description);

    public static StatusInfo Error(string code, string description) => new("error", code, description);

    public bool IsError => Level == "error";

    public static StatusInfo From(AmfObject? info) =>
        new(info?.GetString("level") ?? string.Empty, info?.GetString("code") ?? string.Empty, info?.GetString("description") ?? string.Empty);

    public AmfObject ToAmf() => new()
    {
        { "level", Level },
        { "code", Code },
        { "description", Description },
    };
}
