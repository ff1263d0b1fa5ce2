namespace Stagecast.Server.Hosting;

/// <summary>Maps operator flags and STAGECAST_* environment variables onto configuration keys.</summary>
public static class CommandLine
{
    /// <summary>Flag, environment variable and configuration key of each operator setting.</summary>
    public static readonly IReadOnlyList<(string Flag, string Variable, string Key)> Settings =
    [
        ("--http-port", "STAGECAST_HTTP_PORT", "Stagecast:HttpPort"),
        ("--rtmp-port", "STAGECAST_RTMP_PORT", "Stagecast:RtmpPort"),
        ("--data-dir", "STAGECAST_DATA_DIR", "Stagecast:DataDir"),
        ("--bind", "STAGECAST_BIND", "Stagecast:Bind"),
    ];

    public static Dictionary<string, string> SwitchMappings() => Settings.ToDictionary(s => s.Flag, s => s.Key);

    public static Dictionary<string, string?> FromEnvironment(Func<string, string?> getVariable)
    {
        var values = new Dictionary<string, string?>();
        foreach (var (_, variable, key) in Settings)
        {
            if (getVariable(variable) is { Length: > 0 } value)
            {
                values[key] = value;
            }
        }

        return values;
    }
}
