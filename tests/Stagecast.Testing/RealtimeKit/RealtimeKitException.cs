namespace Stagecast.Testing.RealtimeKit;

/// <summary>A call of the SDK in the page that rejected: the SDK's error, with its ClientError code (e.g. "0004") when it has one.</summary>
public sealed class RealtimeKitException(string call, string name, string? code, string sdkMessage)
    : Exception($"{call}: {name} {code}: {sdkMessage}")
{
    public string Call { get; } = call;

    public string Name { get; } = name;

    public string? Code { get; } = code;

    public string SdkMessage { get; } = sdkMessage;
}
