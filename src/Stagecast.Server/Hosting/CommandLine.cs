namespace Stagecast.Server.Hosting;

/// <summary>Maps operator flags and STAGECAST_* environment variables onto configuration keys.</summary>
public static class CommandLine
{
    /// <summary>Flag (if any), environment variable and configuration key of each operator setting.</summary>
    public static readonly IReadOnlyList<(string? Flag, string Variable, string Key)> Settings =
    [
        ("--http-port", "STAGECAST_HTTP_PORT", "Stagecast:HttpPort"),
        ("--rtmp-port", "STAGECAST_RTMP_PORT", "Stagecast:RtmpPort"),
        ("--data-dir", "STAGECAST_DATA_DIR", "Stagecast:DataDir"),
        ("--bind", "STAGECAST_BIND", "Stagecast:Bind"),
        ("--public-url", "STAGECAST_PUBLIC_URL", "Stagecast:PublicUrl"),
        ("--rtmp-url", "STAGECAST_RTMP_URL", "Stagecast:RtmpUrl"),
        ("--reconnect-window", "STAGECAST_RECONNECT_WINDOW", "Stagecast:Hub:ReconnectWindow"),
        (null, "STAGECAST_ACCOUNT_ID", "Stagecast:Bootstrap:AccountId"),
        (null, "STAGECAST_APP_ID", "Stagecast:Bootstrap:AppId"),
        (null, "STAGECAST_API_TOKEN", "Stagecast:Bootstrap:ApiToken"),
    ];

    public static Dictionary<string, string> SwitchMappings() =>
        Settings.Where(s => s.Flag is not null).ToDictionary(s => s.Flag!, s => s.Key);

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
