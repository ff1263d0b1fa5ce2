using System.CommandLine;
using Stagecast.Server.Features.FirstStart;
using Stagecast.Server.Hosting;

namespace Stagecast.Server;

/// <summary>
/// The command line, parsed with System.CommandLine: with no command it runs the server, whose settings are flags
/// (or STAGECAST_* environment variables); <c>accounts</c>, <c>apps</c> and <c>tokens</c> are operator commands on
/// the data directory (<see cref="OperatorCommands"/>); <c>--help</c> and <c>--version</c> answer and exit. Anything
/// else is refused with usage and exit code 2, so a typo never starts a server on the default ports. It belongs to the
/// program, beside <see cref="StagecastApp"/>: it names every feature's settings and commands.
/// </summary>
public sealed class CommandLine
{
    /// <summary>Exit code for a command line or a setting that keeps the server from starting.</summary>
    public const int UsageExitCode = 2;

    /// <summary>Flag (if any), environment variable, configuration key and help text of each operator setting.</summary>
    public static readonly IReadOnlyList<Setting> Settings =
    [
        new("--http-port", "STAGECAST_HTTP_PORT", "Stagecast:HttpPort", "HTTP port: API, playback, watch page, dashboard, WHIP and WHEP [default: 8080]"),
        new("--https-port", "STAGECAST_HTTPS_PORT", "Stagecast:Https:Port", "HTTPS port, with --tls-cert and --tls-key: what HTTP serves, over TLS, HTTP/1.1 and HTTP/2 [default: 8443]"),
        new("--tls-cert", "STAGECAST_TLS_CERT", "Stagecast:Https:Certificate", "The HTTPS certificate, a PEM file (its chain may follow it); read again when it changes"),
        new("--tls-key", "STAGECAST_TLS_KEY", "Stagecast:Https:Key", "The certificate's private key, a PEM file"),
        new("--https-redirect", "STAGECAST_HTTPS_REDIRECT", "Stagecast:Https:RedirectHttp", "Answer plain HTTP with a redirect to HTTPS (health checks excepted)", SettingKind.Switch),
        new("--trusted-proxy", "STAGECAST_TRUSTED_PROXY", "Stagecast:TrustedProxy", "Address or network (CIDR) of a proxy whose X-Forwarded-For/-Proto/-Host are believed (repeatable)", SettingKind.Repeatable),
        new("--rtmp-port", "STAGECAST_RTMP_PORT", "Stagecast:RtmpPort", "RTMP ingest port [default: 1935]"),
        new("--data-dir", "STAGECAST_DATA_DIR", "Stagecast:DataDir", "Where the database and the key are kept [default: ./data]"),
        new("--database-url", "STAGECAST_DATABASE_URL", "Stagecast:DatabaseUrl", "PostgreSQL for durable state, postgres://USER:PASSWORD@HOST:PORT/DB [default: SQLite in the data directory]"),
        new("--redis-url", "STAGECAST_REDIS_URL", "Stagecast:Cluster:RedisUrl", "Redis for several nodes, redis://[:PASSWORD@]HOST:PORT or rediss:// for TLS (needs --database-url) [default: one node]"),
        new("--node-id", "STAGECAST_NODE_ID", "Stagecast:Cluster:NodeId", "This node's id in a cluster [default: host name and HTTP port]"),
        new("--node-url", "STAGECAST_NODE_URL", "Stagecast:Cluster:NodeUrl", "HTTP URL the other nodes reach this node at [default: http://{bind or host name}:{HTTP port}]"),
        new("--bind", "STAGECAST_BIND", "Stagecast:Bind", "Address the HTTP, RTMP and WebRTC listeners bind to [default: 0.0.0.0]"),
        new("--metrics-bind", "STAGECAST_METRICS_BIND", "Stagecast:MetricsBind", "ADDRESS:PORT where Prometheus scrapes /metrics, or none [default: 127.0.0.1:9464]"),
        new("--public-url", "STAGECAST_PUBLIC_URL", "Stagecast:PublicUrl", "HTTP URL viewers and API clients reach the server at"),
        new("--rtmps-port", "STAGECAST_RTMPS_PORT", "Stagecast:RtmpsPort", "RTMPS ingest port, with --tls-cert and --tls-key [default: 1936]"),
        new("--rtmps-url", "STAGECAST_RTMPS_URL", "Stagecast:RtmpsUrl", "RTMPS URL encoders reach the server at [default: --rtmp-url's or --public-url's host and the RTMPS port]"),
        new("--rtmp-url", "STAGECAST_RTMP_URL", "Stagecast:RtmpUrl", "RTMP URL encoders reach the server at"),
        new("--reconnect-window", "STAGECAST_RECONNECT_WINDOW", "Stagecast:Hub:ReconnectWindow", "How long a dropped publisher may take to come back (hh:mm:ss)"),
        new("--webhooks-allow-private", "STAGECAST_WEBHOOKS_ALLOW_PRIVATE", "Stagecast:Webhooks:AllowPrivate", "Allow webhooks to private and loopback addresses", SettingKind.Switch),
        new("--restream-allow-private", "STAGECAST_RESTREAM_ALLOW_PRIVATE", "Stagecast:Restream:AllowPrivate", "Allow restream outputs to private and loopback addresses", SettingKind.Switch),
        new("--srt-port", "STAGECAST_SRT_PORT", "Stagecast:Srt:Port", "UDP port for SRT ingest and playback (MPEG-TS), 0 for an ephemeral one [default: 8890]"),
        new("--webrtc-port", "STAGECAST_WEBRTC_PORT", "Stagecast:WebRtc:Port", "UDP port for WebRTC media [default: 8189]"),
        new("--webrtc-bind", "STAGECAST_WEBRTC_BIND", "Stagecast:WebRtc:Bind", "IPv4 address WebRTC's UDP port and ICE-TCP bind to [default: --bind's, every address when that is IPv6]"),
        new("--webrtc-tcp-port", "STAGECAST_WEBRTC_TCP_PORT", "Stagecast:WebRtc:TcpPort", "TCP port for ICE over TCP [default: the UDP port's number]"),
        new("--webrtc-public-ip", "STAGECAST_WEBRTC_PUBLIC_IP", "Stagecast:WebRtc:PublicIp", "Address WebRTC clients reach the server at (repeatable)", SettingKind.Repeatable),
        new("--turn-url", "STAGECAST_TURN_URL", "Stagecast:Turn:Urls", "TURN server clients are told of, turn:HOST:PORT or turns:HOST:443 (repeatable)", SettingKind.Repeatable),
        new("--turn-secret", "STAGECAST_TURN_SECRET", "Stagecast:Turn:Secret", "The TURN server's shared secret (coturn static-auth-secret) credentials are made with"),
        new("--webrtc-congestion-control", "STAGECAST_WEBRTC_CONGESTION_CONTROL", "Stagecast:WebRtc:CongestionControl", "Transport-wide congestion control in meetings: feedback to publishers, a downlink estimate per subscriber, layers shared within it; false turns it off [default: true]", SettingKind.Switch),
        new("--webrtc-max-publish-kbps", "STAGECAST_WEBRTC_MAX_PUBLISH_KBPS", "Stagecast:WebRtc:MaxPublishKbps", "Bitrate WHIP publishers are asked to stay under"),
        new("--realtimekit-base", "STAGECAST_REALTIMEKIT_BASE", "Stagecast:RealtimeKit:Base", "The baseURI apps on RealtimeKit's own SDK use: api.BASE and socket-edge.BASE are served on the HTTPS port [default: --public-url's host]"),
        new("--ffmpeg", "STAGECAST_FFMPEG", "Stagecast:Ffmpeg", "The ffmpeg binary (transcoding, meeting programs, recordings): a path, or a name on the PATH [default: ffmpeg]"),
        new("--transcode-hwaccel", "STAGECAST_TRANSCODE_HWACCEL", "Stagecast:Transcode:HwAccel", "The H.264 encoder of livestreams' renditions: none (x264), auto, nvenc, vaapi or qsv, used when ffmpeg has it and it works here [default: none]"),
        new("--transcription-engine", "STAGECAST_TRANSCRIPTION_ENGINE", "Stagecast:Transcription:Engine", "Speech recognition on this server's CPU for transcripts and captions: none, pocketsphinx (Debian's pocketsphinx-en-us) or whisper (with --whisper-model) [default: whisper with --whisper-model, else none]"),
        new("--whisper-model", "STAGECAST_WHISPER_MODEL", "Stagecast:Transcription:WhisperModel", "The whisper.cpp model file, e.g. ggml-base.en.bin; names whisper the engine unless --transcription-engine says otherwise"),
        new("--summary-endpoint", "STAGECAST_SUMMARY_ENDPOINT", "Stagecast:Transcription:SummaryEndpoint", "An OpenAI-compatible API (e.g. a local llama.cpp server's http://127.0.0.1:8080/v1) that writes sessions' summaries [default: extractive, in process]"),
        new("--summary-model", "STAGECAST_SUMMARY_MODEL", "Stagecast:Transcription:SummaryModel", "The model --summary-endpoint is asked for [default: default]"),
        new(null, "STAGECAST_SUMMARY_API_KEY", "Stagecast:Transcription:SummaryApiKey", "The bearer key of --summary-endpoint, if it needs one"),
        new(null, "STAGECAST_ACCOUNT_ID", "Stagecast:Bootstrap:AccountId", "Account to create on start"),
        new(null, "STAGECAST_APP_ID", "Stagecast:Bootstrap:AppId", "App to create on start"),
        new(null, "STAGECAST_API_TOKEN", "Stagecast:Bootstrap:ApiToken", "API token to create on start"),
    ];

    private readonly RootCommand _root = new("Stagecast, a self-hosted live streaming server. With no command, runs the server.");
    private readonly List<(Option Option, Setting Setting)> _settings = [];
    private readonly Option<string[]> _set = new("--set")
    {
        Description = "Any other setting by its configuration key (repeatable), e.g. --set Stagecast:Webhooks:Timeout=00:00:05",
        HelpName = "key=value",
    };

    /// <param name="runServer">Runs the server with the configuration values the command line and environment give.</param>
    public CommandLine(Func<Dictionary<string, string?>, CancellationToken, Task<int>> runServer, TextWriter output, TextWriter error)
    {
        foreach (var setting in Settings.Where(s => s.Flag is not null))
        {
            Option option = setting.Kind switch
            {
                SettingKind.Switch => new Option<bool>(setting.Flag!),
                SettingKind.Repeatable => new Option<string[]>(setting.Flag!) { HelpName = "value" },
                _ => new Option<string>(setting.Flag!) { HelpName = "value" },
            };
            option.Description = setting.Description;
            option.Recursive = setting.Key is "Stagecast:DataDir" or "Stagecast:DatabaseUrl"; // the operator commands work on the same database
            _settings.Add((option, setting));
            _root.Options.Add(option);
        }

        _set.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Where(t => !t.Value.Contains('=', StringComparison.Ordinal) || !t.Value.StartsWith("Stagecast:", StringComparison.Ordinal)))
            {
                result.AddError($"--set '{token.Value}' must be Stagecast:Section:Key=value");
            }
        });
        _root.Options.Add(_set);
        _root.SetAction((result, cancellationToken) => runServer(Values(result), cancellationToken));
        foreach (var command in OperatorCommands.Create(result => ServerConfiguration.ReadServerOptions(Values(result)), output, error))
        {
            _root.Subcommands.Add(command);
        }
    }

    public ParseResult Parse(IReadOnlyList<string> args) => _root.Parse(args);

    /// <summary>Every flag the server and its commands take, aliases included (what the docs may name).</summary>
    public static IReadOnlySet<string> Flags()
    {
        var flags = new HashSet<string>(StringComparer.Ordinal);
        Collect(new CommandLine((_, _) => Task.FromResult(0), TextWriter.Null, TextWriter.Null)._root);
        return flags;

        void Collect(Command command)
        {
            foreach (var option in command.Options)
            {
                flags.Add(option.Name);
                flags.UnionWith(option.Aliases);
            }

            foreach (var subcommand in command.Subcommands)
            {
                Collect(subcommand);
            }
        }
    }

    /// <summary>Runs what the command line asks for; a command line with errors prints them and the usage to <paramref name="error"/> and returns 2.</summary>
    public static async Task<int> RunAsync(string[] args, Func<Dictionary<string, string?>, CancellationToken, Task<int>> runServer, TextWriter output, TextWriter error)
    {
        var commandLine = new CommandLine(runServer, output, error);
        var result = commandLine.Parse(args);
        // The host handles SIGINT and SIGTERM itself, for a clean shutdown.
        var invocation = new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false };
        if (result.Errors.Count > 0)
        {
            foreach (var problem in result.Errors)
            {
                await error.WriteLineAsync($"stagecast: {problem.Message}").ConfigureAwait(false);
            }

            await error.WriteLineAsync().ConfigureAwait(false);
            invocation.Output = error;
            await commandLine.Parse([.. ArgsOf(result), "--help"]).InvokeAsync(invocation).ConfigureAwait(false);
            return UsageExitCode;
        }

        return await result.InvokeAsync(invocation).ConfigureAwait(false);
    }

    /// <summary>The configuration values of a server command line (no command) or a <see cref="StartupException"/> naming what is wrong.</summary>
    public static Dictionary<string, string?> ServerValues(string[] args)
    {
        var commandLine = new CommandLine((_, _) => Task.FromResult(0), TextWriter.Null, TextWriter.Null);
        var result = commandLine.Parse(args);
        if (result.Errors.Count > 0)
        {
            throw new StartupException(string.Join("; ", result.Errors.Select(e => e.Message)));
        }

        if (result.CommandResult.Command != commandLine._root)
        {
            throw new StartupException($"'{result.CommandResult.Command.Name}' is a command, not a server setting");
        }

        return commandLine.Values(result);
    }

    public static Dictionary<string, string?> FromEnvironment(Func<string, string?> getVariable)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var setting in Settings)
        {
            if (getVariable(setting.Variable) is { Length: > 0 } value)
            {
                values[setting.Key] = value;
            }
        }

        return values;
    }

    /// <summary>Settings in order of precedence (last wins): STAGECAST_* variables, then flags, then --set.</summary>
    private Dictionary<string, string?> Values(ParseResult result)
    {
        var values = FromEnvironment(Environment.GetEnvironmentVariable);
        foreach (var (option, setting) in _settings)
        {
            if (result.GetResult(option) is not { Implicit: false })
            {
                continue;
            }

            values[setting.Key] = option switch
            {
                Option<bool> flag => result.GetValue(flag) ? "true" : "false",
                Option<string[]> repeated => string.Join(',', result.GetValue(repeated) ?? []),
                Option<string> single => result.GetValue(single),
                _ => throw new InvalidOperationException($"unexpected option {option.Name}"),
            };
        }

        foreach (string pair in result.GetValue(_set) ?? [])
        {
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            values[pair[..equals]] = pair[(equals + 1)..];
        }

        return values;
    }

    /// <summary>The words of the command that was being typed, so its usage (not the root's) is shown.</summary>
    private static Stack<string> ArgsOf(ParseResult result)
    {
        var names = new Stack<string>();
        for (var command = result.CommandResult; command.Parent is System.CommandLine.Parsing.CommandResult parent; command = parent)
        {
            names.Push(command.Command.Name);
        }

        return names;
    }

    public enum SettingKind
    {
        Value,
        Switch,
        Repeatable,
    }

    public sealed record Setting(string? Flag, string Variable, string Key, string Description, SettingKind Kind = SettingKind.Value);
}
