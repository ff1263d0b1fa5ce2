using Stagecast.Hls;
using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Api;
using Stagecast.Server.Hosting.Metrics;
using Stagecast.Speech;
using Stagecast.Streaming;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.Transcription;

public static class TranscriptionFeature
{
    /// <summary>
    /// Speech recognition on the server's own CPU (docs/ai.md): the engine <c>--transcription-engine</c> names
    /// (<c>none</c> by default, <c>pocketsphinx</c>, <c>whisper</c> with <c>--whisper-model</c>), loaded at start, and the
    /// meetings' live transcripts on it, captioning their livestreams, and the captions of independent livestreams that ask.
    /// </summary>
    public static IServiceCollection AddTranscription(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TranscriptionOptions>().Bind(configuration.GetSection(TranscriptionOptions.Section))
            .ValidateWith<TranscriptionOptions, TranscriptionOptionsValidator>().ValidateOnStart();
        services.AddApiJson(TranscriptApiJsonContext.Default);
        services.AddStartupTask<SpeechEngine>();
        services.AddSingleton<ITranscriptionCheck>(sp => sp.GetRequiredService<SpeechEngine>());
        services.AddSingleton<SqlTranscriptStore>();
        services.AddSingleton<SessionTranscripts>();
        services.AddSingleton<SqlSummaryStore>();
        services.AddSingleton<SessionSummarizer>();
        services.AddSingleton<SessionSummaries>();
        services.AddSingleton<TranscriptRetentionService>();
        services.AddHostedService(sp => sp.GetRequiredService<TranscriptRetentionService>());
        services.AddSingleton<LivestreamCaptions>();
        services.AddSingleton<ITimedTextSource>(sp => sp.GetRequiredService<LivestreamCaptions>());
        services.AddSingleton<IHubStreamObserver>(sp => sp.GetRequiredService<LivestreamCaptions>());
        services.AddStartupTask<LiveTranscripts>(); // after the engine, which it needs loaded
        services.AddSingleton<IMeetingSessionObserver>(sp => sp.GetRequiredService<LiveTranscripts>());
        services.AddSingleton<Rooms.IRoomObserver>(sp => sp.GetRequiredService<LiveTranscripts>());
        services.AddSingleton<LivestreamAudioCaptions>();
        services.AddSingleton<IHubStreamObserver>(sp => sp.GetRequiredService<LivestreamAudioCaptions>());
        services.AddFeatureMetrics<TranscriptionMetrics>();
        return services;
    }
}
