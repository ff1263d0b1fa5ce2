using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Stagecast.FfmpegProcesses;

public static class FfmpegServiceCollectionExtensions
{
    /// <summary>
    /// The one <see cref="FfmpegLauncher"/> every user of ffmpeg shares (transcoders, the compositor, recorders);
    /// <paramref name="path"/> is the <c>Stagecast:Ffmpeg</c> setting, or null for <c>ffmpeg</c> on the <c>PATH</c>.
    /// </summary>
    public static IServiceCollection AddFfmpeg(this IServiceCollection services, string? path)
    {
        services.AddOptions<FfmpegOptions>().Configure(options => options.Path = path ?? options.Path).ValidateOnStart();
        services.AddSingleton<IValidateOptions<FfmpegOptions>, FfmpegOptionsValidator>();
        services.AddSingleton(sp => new FfmpegLauncher(sp.GetRequiredService<IOptions<FfmpegOptions>>().Value.Path, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<FfmpegLauncher>>()));
        return services;
    }
}
