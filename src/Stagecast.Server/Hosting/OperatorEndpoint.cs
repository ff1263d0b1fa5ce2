namespace Stagecast.Server.Hosting;

/// <summary>
/// A page for the operator, served on the metrics listener beside <c>/metrics</c> (GET only, no token: that listener is
/// loopback by default and the operator's) and never on the public port. A feature registers one as a singleton.
/// </summary>
public sealed record OperatorEndpoint(string Path, RequestDelegate Handle);
