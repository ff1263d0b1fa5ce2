using Stagecast.Streaming.Logging;

namespace Stagecast.Srt;

/// <summary>What a caller asks for: to publish with a stream key, or to read a live stream.</summary>
public enum SrtMode
{
    Publish,
    Request,
}

/// <summary>
/// The stream id an SRT caller sends in its handshake (SRTO_STREAMID), in the conventions encoders use: the access
/// control syntax <c>#!::r=live/KEY,m=publish</c> (SRT's AccessControl guidelines: comma-separated keys, <c>r</c> the
/// resource, <c>m</c> the mode, <c>request</c> when absent) or the bare stream key, which publishes.
/// </summary>
public readonly record struct SrtStreamId(SrtMode Mode, string Name)
{
    /// <summary>libsrt carries at most 512 bytes of stream id.</summary>
    public const int MaxLength = 512;

    /// <summary>A stream key or livestream id; Stagecast's are far shorter.</summary>
    public const int MaxNameLength = 256;

    private const string AccessControlPrefix = "#!::";

    /// <summary>Reads a stream id; false with the reason (for the log and the caller) when it names nothing usable.</summary>
    public static bool TryParse(string? streamId, string app, out SrtStreamId id, out string problem)
    {
        id = default;
        problem = "";
        if (string.IsNullOrEmpty(streamId))
        {
            problem = $"no streamid: publish with streamid=#!::r={app}/STREAM_KEY,m=publish";
            return false;
        }

        if (streamId.Length > MaxLength)
        {
            problem = $"streamid of {streamId.Length} characters (at most {MaxLength})";
            return false;
        }

        SrtMode mode = SrtMode.Publish;
        string resource = streamId;
        if (streamId.StartsWith(AccessControlPrefix, StringComparison.Ordinal))
        {
            mode = SrtMode.Request;
            resource = "";
            foreach (string pair in streamId[AccessControlPrefix.Length..].Split(','))
            {
                int equals = pair.IndexOf('=', StringComparison.Ordinal);
                string key = equals < 0 ? pair : pair[..equals];
                string value = equals < 0 ? "" : pair[(equals + 1)..];
                switch (key)
                {
                    case "r":
                        resource = value;
                        break;
                    case "m" when value == "publish":
                        mode = SrtMode.Publish;
                        break;
                    case "m" when value == "request":
                        mode = SrtMode.Request;
                        break;
                    case "m":
                        problem = $"mode m={LogText.Untrusted(value, 32)} is not supported (publish or request)";
                        return false;
                }
            }
        }

        string name = resource.TrimStart('/');
        if (name.StartsWith(app + "/", StringComparison.Ordinal))
        {
            name = name[(app.Length + 1)..];
        }

        if (name.Length == 0 || name.Length > MaxNameLength || name.Contains('/') || name.Any(char.IsControl))
        {
            problem = $"streamid names no {(mode == SrtMode.Publish ? "stream key" : "livestream")}: use r={app}/{(mode == SrtMode.Publish ? "STREAM_KEY" : "LIVESTREAM_ID")}";
            return false;
        }

        id = new SrtStreamId(mode, name);
        return true;
    }
}
