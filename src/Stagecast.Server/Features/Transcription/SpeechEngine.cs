using Microsoft.Extensions.Options;
using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Hosting;
using Stagecast.Speech;

namespace Stagecast.Server.Features.Transcription;

/// <summary>
/// The server's speech engine, loaded when the server starts. An engine that cannot load (a missing or broken model,
/// a library not installed) is logged with what is wrong and leaves transcription off: the server runs, meetings go on
/// without captions, and <see cref="Problem"/> says why for whoever asks for a transcript. (<c>create</c> makes the
/// recognizer: the configured engine's, or a test's.) A meeting asking for a language the engine does not recognise
/// (PocketSphinx, or whisper with an English-only model, and anything but English) is refused when it is saved; with
/// no engine running nothing is transcribed, and the meeting's settings are kept for when one is.
/// </summary>
public sealed partial class SpeechEngine(IOptions<TranscriptionOptions> options, ILogger<SpeechEngine> logger, Func<TranscriptionOptions, ISpeechRecognizer?>? create = null)
    : IStartupTask, ITranscriptionCheck, IDisposable
{

    /// <summary>The recognizer, or null when transcription is off (configured so, or its engine could not load).</summary>
    public ISpeechRecognizer? Recognizer { get; private set; }

    /// <summary>Why the configured engine is not running, or null.</summary>
    public string? Problem { get; private set; }

    /// <summary>The language of a meeting that names none (<c>Stagecast:Transcription:Language</c>).</summary>
    public string DefaultLanguage => options.Value.Language;

    public string? Refusal(AiTranscription transcription) =>
        Recognizer is { } recognizer && transcription.Language is { } language && !recognizer.Recognises(language)
            ? $"\"ai_config.transcription.language\" {transcription.Tag} is not a language this server's speech engine ({recognizer.Engine}) recognises: its model knows English only"
            : null;

    public Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            Recognizer = (create ?? SpeechRecognizers.Create)(options.Value);
            if (Recognizer is not null)
            {
                LogLoaded(Recognizer.Engine);
            }
        }
        catch (SpeechEngineException ex)
        {
            Problem = ex.Message;
            LogNotLoaded(ex.Message);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Whatever else a native engine's loading throws (a platform it refuses, a library of another version) is
            // the same: transcription off, the server running.
            Problem = $"{options.Value.ChosenEngine}: it could not be loaded ({ex.Message})";
            LogNotLoaded(Problem);
        }

        return Task.CompletedTask;
    }

    public void Dispose() => Recognizer?.Dispose();

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Transcription runs on {Engine}, on this server's CPU, for participants whose preset has permissions.transcription_enabled (no default preset has it; docs/ai.md, \"Turning it on for a meeting\")")]
    private partial void LogLoaded(string engine);

    [LoggerMessage(Level = LogLevel.Error, Message = "Transcription is off: {Problem}")]
    private partial void LogNotLoaded(string problem);
}
