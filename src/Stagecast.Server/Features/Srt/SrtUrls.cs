using Microsoft.Extensions.Options;
using Stagecast.Server.Hosting;
using Stagecast.Srt.Server;

namespace Stagecast.Server.Features.Srt;

/// <summary>
/// A livestream's <c>srt_url</c>: <c>srt://HOST:PORT?streamid=#!::r=live/KEY,m=publish</c>, the stream id left as
/// encoders take it (ffmpeg, OBS and srt-live-transmit read the query after <c>?</c> as it is). HOST is where
/// encoders reach the server: the host of <c>--rtmp-url</c>, else of <c>--public-url</c>, else the one ingest_server
/// names. Null while SRT is off.
/// </summary>
public sealed class SrtUrls(SrtServer srt, PublicUrls urls, IOptions<ServerOptions> server, IOptions<SrtServerOptions> options)
{
    public string? PublishUrl(string streamKey) =>
        srt.LocalEndPoint is { } endpoint ? $"srt://{Host}:{endpoint.Port}?streamid=#!::r={options.Value.App}/{streamKey},m=publish" : null;

    private string Host => new Uri(server.Value.RtmpUrl ?? server.Value.PublicUrl ?? urls.IngestServer).Host;
}
