namespace Stagecast.Rtmp.Client;

/// <summary>The server refused a command: its status code (e.g. NetStream.Publish.BadName) and description.</summary>
public sealed class RtmpStatusException(string code, string description)
    : Exception($"{code}: {description}")
{
    public string Code { get; } = code;

    public string Description { get; } = description;
}
