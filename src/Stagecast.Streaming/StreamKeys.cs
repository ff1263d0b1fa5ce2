using Stagecast.Streaming.Logging;

namespace Stagecast.Streaming;

/// <summary>Helpers for handling stream keys as secrets.</summary>
public static class StreamKeys
{
    /// <summary>A stream key as it may appear in logs: the first four characters (escaped, as a client chose them) and the length, never more.</summary>
    public static string Redact(string? key) => key switch
    {
        null or "" => "(empty)",
        { Length: <= 8 } => $"…({key.Length} chars)",
        _ => $"{LogText.Escape(key[..4])}…({key.Length} chars)",
    };
}
