namespace Stagecast.Streaming;

/// <summary>Who is publishing: the ingest protocol and the remote endpoint, for logs and the API.</summary>
public sealed record PublisherInfo(string Protocol, string RemoteAddress);
