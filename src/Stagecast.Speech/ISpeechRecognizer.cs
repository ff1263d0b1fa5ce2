namespace Stagecast.Speech;

/// <summary>
/// A speech recognition engine on the server's own CPU: the words of one utterance of 16 kHz mono audio. Not safe for
/// use from two threads at once (each engine holds one decoder); recognition is CPU work of up to seconds, so callers
/// run it off the media path (a bounded queue, a worker of its own).
/// </summary>
public interface ISpeechRecognizer : IDisposable
{
    /// <summary>The engine's name as configured (<c>pocketsphinx</c>, <c>whisper</c>).</summary>
    string Engine { get; }

    /// <summary>
    /// Whether the engine recognises <paramref name="language"/> (whisper's code, or <see cref="SpeechSettings.AutoDetect"/>):
    /// PocketSphinx's models and whisper's <c>*.en</c> models English only, a multilingual whisper model all of whisper's.
    /// </summary>
    bool Recognises(string language);

    /// <summary>
    /// The words heard in <paramref name="samples"/> (16 kHz, mono), or an empty string for none, recognised as
    /// <paramref name="settings"/> say (the engine's own language when null; what an engine cannot use it leaves out:
    /// PocketSphinx takes no prompt).
    /// </summary>
    string Recognize(ReadOnlySpan<short> samples, SpeechSettings? settings = null);
}

/// <summary>An engine that cannot start: a missing or broken model, a missing library. The message names the problem.</summary>
public sealed class SpeechEngineException(string message, Exception? inner = null) : Exception(message, inner);
