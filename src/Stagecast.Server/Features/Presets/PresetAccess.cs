using System.Text.Json.Nodes;

namespace Stagecast.Server.Features.Presets;

/// <summary>RealtimeKit's three answers to "may this participant…": <c>stage_access</c> and <c>media.*.can_produce</c>.</summary>
public enum PresetAccess
{
    NotAllowed,

    /// <summary>
    /// Once a host lets it: the stage after a granted request; media, in a preset with a stage, while on the stage (the
    /// stage request is the ask, as RealtimeKit's SDK reads it).
    /// </summary>
    CanRequest,

    Allowed,
}

public static class PresetAccesses
{
    /// <summary>The names presets use, in the order the API lists them.</summary>
    public static readonly string[] Names = ["ALLOWED", "NOT_ALLOWED", "CAN_REQUEST"];

    /// <summary>The name a preset gives an access.</summary>
    public static string Name(this PresetAccess access) => access switch
    {
        PresetAccess.Allowed => "ALLOWED",
        PresetAccess.CanRequest => "CAN_REQUEST",
        _ => "NOT_ALLOWED",
    };

    /// <summary>The access a preset's field says, or null when it says none (or something else).</summary>
    public static PresetAccess? Of(JsonNode? node) => node is JsonValue value && value.TryGetValue(out string? name)
        ? name switch
        {
            "ALLOWED" => PresetAccess.Allowed,
            "CAN_REQUEST" => PresetAccess.CanRequest,
            "NOT_ALLOWED" => PresetAccess.NotAllowed,
            _ => null,
        }
        : null;
}
