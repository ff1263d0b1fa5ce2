namespace Stagecast.Speech;

/// <summary>Makes the configured engine's recognizers, checking what each needs before the first utterance.</summary>
public static class SpeechRecognizers
{
    /// <summary>
    /// A recognizer of <paramref name="options"/>' engine (<see cref="TranscriptionOptions.ChosenEngine"/>), or null for <c>none</c>; throws
    /// <see cref="SpeechEngineException"/> naming what is missing or broken (a model, a library).
    /// </summary>
    public static ISpeechRecognizer? Create(TranscriptionOptions options) => options.ChosenEngine switch
    {
        "none" => null,
        "pocketsphinx" => new PocketSphinxRecognizer(options.PocketSphinxModel),
        "whisper" => WhisperRecognizer.Load(options.WhisperModel, options.Language),
        _ => throw new SpeechEngineException($"unknown transcription engine {options.ChosenEngine}"),
    };
}
