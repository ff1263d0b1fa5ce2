namespace Stagecast.Media;

/// <summary>Malformed media data: a container, codec configuration or AMF0 value that violates its format.</summary>
public sealed class MediaFormatException(string message) : Exception(message);
