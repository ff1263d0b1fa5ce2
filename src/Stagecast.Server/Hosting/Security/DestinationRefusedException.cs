namespace Stagecast.Server.Hosting.Security;

/// <summary>A destination refused at connect time: it resolves only to addresses <see cref="DestinationPolicy"/> does not allow.</summary>
public sealed class DestinationRefusedException(string message) : IOException(message);
