namespace Stagecast.Streaming;

/// <summary>Helpers for handling stream keys as secrets.</summary>
public static class StreamKeys
{
    /// <summary>A stream key as it may appear in logs: the first four characters and the length, never more.</summary>
    public static string Redact(string? key) => key switch
    {
        null or "" => "(empty)",
        { Length: <= 8 } => $"…({key.Length} chars)",
        _ => $"{key[..4]}…({key.Length} chars)",
    };
}
