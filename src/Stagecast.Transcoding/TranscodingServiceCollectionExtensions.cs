using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Stagecast.Streaming;
using Stagecast.Streaming.Limits;
using Stagecast.Streaming.Renditions;
using Stagecast.Transcoding.Encoders;

namespace Stagecast.Transcoding;

public static class TranscodingServiceCollectionExtensions
{
    /// <summary>
    /// Livestreams' renditions: the transcoders as an observer of the hub, their states (<see cref="IRenditionStatus"/>),
    /// the rendition hub they publish into, and the ladder lookup they ask (the source alone unless another is
    /// registered). <see cref="TranscodeOptions"/> are bound by the caller and checked at start; ffmpeg is
    /// <c>AddFfmpeg</c>'s.
    /// </summary>
    public static IServiceCollection AddRenditionTranscoding(this IServiceCollection services)
    {
        services.AddOptions<TranscodeOptions>().ValidateWith<TranscodeOptions, TranscodeOptionsValidator>().ValidateOnStart();
        services.TryAddSingleton<RenditionHub>();
        services.TryAddSingleton<IRenditionLadders, SourceOnlyLadders>();
        services.AddSingleton<EncoderProbe>();
        services.AddSingleton<RenditionQuota>();
        services.AddSingleton<RenditionTranscoders>();
        services.AddSingleton<IRenditionStatus>(sp => sp.GetRequiredService<RenditionTranscoders>());
        services.AddSingleton<IHubStreamObserver>(sp => sp.GetRequiredService<RenditionTranscoders>());
        return services;
    }
}
