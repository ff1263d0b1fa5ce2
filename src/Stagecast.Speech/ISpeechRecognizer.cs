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

    /// <summary>The words heard in <paramref name="samples"/> (16 kHz, mono), or an empty string for none.</summary>
    string Recognize(ReadOnlySpan<short> samples);
}

/// <summary>An engine that cannot start: a missing or broken model, a missing library. The message names the problem.</summary>
public sealed class SpeechEngineException(string message, Exception? inner = null) : Exception(message, inner);
