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
        ("--webhooks-allow-private", "STAGECAST_WEBHOOKS_ALLOW_PRIVATE", "Stagecast:Webhooks:AllowPrivate"),
        ("--webrtc-port", "STAGECAST_WEBRTC_PORT", "Stagecast:WebRtc:Port"),
        ("--webrtc-tcp-port", "STAGECAST_WEBRTC_TCP_PORT", "Stagecast:WebRtc:TcpPort"),
        ("--webrtc-public-ip", "STAGECAST_WEBRTC_PUBLIC_IP", "Stagecast:WebRtc:PublicIp"),
        ("--webrtc-max-publish-kbps", "STAGECAST_WEBRTC_MAX_PUBLISH_KBPS", "Stagecast:WebRtc:MaxPublishKbps"),
        (null, "STAGECAST_ACCOUNT_ID", "Stagecast:Bootstrap:AccountId"),
        (null, "STAGECAST_APP_ID", "Stagecast:Bootstrap:AppId"),
        (null, "STAGECAST_API_TOKEN", "Stagecast:Bootstrap:ApiToken"),
    ];

    /// <summary>Flags that are switches: given alone they mean true.</summary>
    public static readonly IReadOnlySet<string> BooleanFlags = new HashSet<string>(StringComparer.Ordinal) { "--webhooks-allow-private" };

    /// <summary>Flags that may be given more than once; their values are joined with commas.</summary>
    public static readonly IReadOnlySet<string> RepeatableFlags = new HashSet<string>(StringComparer.Ordinal) { "--webrtc-public-ip" };

    /// <summary>
    /// A boolean flag given without a value ("--webhooks-allow-private --http-port 80") becomes "--flag=true"; a
    /// repeatable flag given several times ("--webrtc-public-ip A --webrtc-public-ip B") becomes one "--flag=A,B".
    /// </summary>
    public static string[] ExpandBooleanFlags(string[] args)
    {
        var expanded = new List<string>(args.Length);
        var repeated = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            if (RepeatableFlags.Contains(args[i]) && i + 1 < args.Length)
            {
                if (!repeated.TryGetValue(args[i], out var values))
                {
                    repeated[args[i]] = values = [];
                }

                values.Add(args[++i]);
                continue;
            }

            bool hasValue = i + 1 < args.Length && (args[i + 1].Equals("true", StringComparison.OrdinalIgnoreCase) || args[i + 1].Equals("false", StringComparison.OrdinalIgnoreCase));
            expanded.Add(BooleanFlags.Contains(args[i]) && !hasValue ? args[i] + "=true" : args[i]);
        }

        foreach (var (flag, values) in repeated)
        {
            expanded.Add($"{flag}={string.Join(',', values)}");
        }

        return [.. expanded];
    }

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
