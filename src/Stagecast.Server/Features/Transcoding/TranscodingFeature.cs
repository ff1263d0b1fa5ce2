using Stagecast.Transcoding;

namespace Stagecast.Server.Features.Transcoding;

public static class TranscodingFeature
{
    /// <summary>
    /// Livestreams' renditions: each live stream whose ladder has encodes gets one ffmpeg making them
    /// (<c>Stagecast:Transcode</c>, <c>--transcode-hwaccel</c>), published into the rendition hub with a state each.
    /// </summary>
    public static IServiceCollection AddTranscoding(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddRenditionTranscoding();
        services.AddOptions<TranscodeOptions>().Bind(configuration.GetSection(TranscodeOptions.Section));
        return services;
    }
}
