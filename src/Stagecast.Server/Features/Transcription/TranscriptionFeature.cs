using Stagecast.Server.Hosting;
using Stagecast.Speech;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.Transcription;

public static class TranscriptionFeature
{
    /// <summary>
    /// Speech recognition on the server's own CPU (docs/ai.md): the engine <c>--transcription-engine</c> names
    /// (<c>none</c> by default, <c>pocketsphinx</c>, <c>whisper</c> with <c>--whisper-model</c>), loaded at start, and the
    /// meetings' live transcripts on it.
    /// </summary>
    public static IServiceCollection AddTranscription(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TranscriptionOptions>().Bind(configuration.GetSection(TranscriptionOptions.Section))
            .ValidateWith<TranscriptionOptions, TranscriptionOptionsValidator>().ValidateOnStart();
        services.AddStartupTask<SpeechEngine>();
        services.AddStartupTask<LiveTranscripts>(); // after the engine, which it needs loaded
        return services;
    }
}
