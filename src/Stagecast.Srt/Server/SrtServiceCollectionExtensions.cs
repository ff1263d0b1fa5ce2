using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Stagecast.Streaming.Limits;

namespace Stagecast.Srt.Server;

public static class SrtServiceCollectionExtensions
{
    /// <summary>SRT ingest and playback on its UDP port, started and stopped with the host; returns its options to bind.</summary>
    public static OptionsBuilder<SrtServerOptions> AddSrtServer(this IServiceCollection services)
    {
        var options = services.AddOptions<SrtServerOptions>().ValidateWith<SrtServerOptions, SrtServerOptionsValidator>().ValidateOnStart();
        services.AddSingleton<SrtAdmission>();
        services.AddSingleton<SrtServer>();
        services.AddHostedService(sp => sp.GetRequiredService<SrtServer>());
        return options;
    }
}
