namespace Stagecast.Testing.RealtimeKit;

/// <summary>
/// A call of the SDK in the page that rejected: the SDK's error, with its ClientError code (e.g. "0004") when it has
/// one, and what the test knows of why (<paramref name="context"/>: the socket's frames around a failed join).
/// </summary>
public sealed class RealtimeKitException(string call, string name, string? code, string sdkMessage, string? context = null)
    : Exception($"{call}: {name} {code}: {sdkMessage}{(context is null ? "" : $"\n{context}")}")
{
    public string Call { get; } = call;

    public string Name { get; } = name;

    public string? Code { get; } = code;

    public string SdkMessage { get; } = sdkMessage;
}
