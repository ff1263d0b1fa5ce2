using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Stagecast.Streaming.Limits;

namespace Stagecast.Srt.Server;

public static class SrtServiceCollectionExtensions
{
    /// <summary>
    /// SRT ingest and playback on its UDP port; returns its options to bind. The caller starts <see cref="SrtServer"/>
    /// as a hosted service (the server wraps it to report a busy port its own way).
    /// </summary>
    public static OptionsBuilder<SrtServerOptions> AddSrtServer(this IServiceCollection services)
    {
        var options = services.AddOptions<SrtServerOptions>().ValidateWith<SrtServerOptions, SrtServerOptionsValidator>().ValidateOnStart();
        services.AddSingleton<SrtAdmission>();
        services.AddSingleton<SrtServer>();
        return options;
    }
}
