namespace Stagecast.Server.Hosting;

/// <summary>A setting that keeps the server from starting; reported as one line, without a stack trace.</summary>
public sealed class StartupException(string message) : Exception(message);
