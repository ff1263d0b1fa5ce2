using Microsoft.Extensions.Options;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Metrics;
using Stagecast.Streaming;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.Thumbnails;

public static class ThumbnailsFeature
{
    /// <summary>Pictures of the live streams: the newest keyframe as a JPEG, made by ffmpeg once per keyframe and width.</summary>
    public static IServiceCollection AddThumbnails(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ThumbnailOptions>().Bind(configuration.GetSection(ThumbnailOptions.Section))
            .ValidateWith<ThumbnailOptions, ThumbnailOptionsValidator>().ValidateOnStart();
        services.AddSingleton<KeyframeDecoder>();
        services.AddSingleton<ThumbnailService>();
        services.AddSingleton<IHubStreamObserver>(sp => sp.GetRequiredService<ThumbnailService>());
        services.AddFeatureMetrics<ThumbnailMetrics>();
        return services;
    }

    /// <summary>
    /// <c>GET /{livestream_id}/thumbnail.jpg</c> (<c>?width=</c>), public like the playback URL, with
    /// <c>Access-Control-Allow-Origin: *</c> on every answer as playback has; errors in the API's envelope.
    /// </summary>
    public static IEndpointRouteBuilder MapThumbnails(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods("/{livestream_id}/thumbnail.jpg", [HttpMethods.Get, HttpMethods.Head], ThumbnailEndpoint.AnswerAsync).ExcludeFromDescription();
        return endpoints;
    }
}
