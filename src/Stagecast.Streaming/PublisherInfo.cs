namespace Stagecast.Streaming;

/// <summary>
/// Who is publishing: the ingest protocol and the remote endpoint, for logs and the API, and whether its stream key
/// came over TLS (RTMPS, WHIP over HTTPS), for livestreams that refuse keys sent in clear.
/// </summary>
public sealed record PublisherInfo(string Protocol, string RemoteAddress, bool KeyOverTls = false);
