using Microsoft.Extensions.Options;
using Stagecast.Rtmp.Sessions;
using Stagecast.Server.Hosting;
using Stagecast.Srt.Server;
using Stagecast.Streaming.MpegTs;

namespace Stagecast.Server.Features.Srt;

public static class SrtFeature
{
    /// <summary>
    /// SRT ingest and playback on <c>--srt-port</c> (UDP): stream keys checked like RTMP's, the address of <c>--bind</c>,
    /// the RTMP application's name in stream ids, Opus turned into AAC by the transcoder WHIP uses; livestreams show
    /// their <c>srt_url</c>.
    /// </summary>
    public static IServiceCollection AddSrt(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSrtServer()
            .Bind(configuration.GetSection("Stagecast:Srt"))
            .PostConfigure<IOptions<ServerOptions>, IOptions<RtmpServerOptions>>((srt, server, rtmp) =>
            {
                srt.Bind = server.Value.Bind;
                srt.App = rtmp.Value.App;
            });
        services.AddSingleton<IOpusTranscoding, OpusToAacTranscoding>();
        services.AddSingleton<SrtUrls>();
        services.AddHostedService<SrtListener>();
        return services;
    }

    /// <summary>Starts SRT with the other listeners; a port it cannot bind stops the start with one line, as the others do.</summary>
    private sealed class SrtListener(SrtServer srt) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            try
            {
                await srt.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SrtListenException ex)
            {
                throw new StartupException(ex.Message);
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => srt.StopAsync(cancellationToken);
    }
}
