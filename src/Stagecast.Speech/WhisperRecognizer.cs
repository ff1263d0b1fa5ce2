using System.Text;
using System.Text.RegularExpressions;
using Whisper.net;

namespace Stagecast.Speech;

/// <summary>
/// whisper.cpp through Whisper.net with the ggml model file the operator names (<c>ggml-base.en.bin</c>, ...). The
/// model is checked when the server starts: a missing, empty or foreign file is refused with its path, before any
/// meeting needs it. Each utterance is recognised in its settings' language (whisper.cpp's language is a per-call
/// parameter); a prompt is fixed when a processor is built, so the processors of the latest
/// <see cref="MaxPrompts"/> prompts are kept (each holds whisper.cpp's decoding state: tens of MB for tiny and base).
/// What whisper writes of sounds that are not words, in brackets or parentheses as film subtitles have them
/// (<c>[BLANK_AUDIO]</c>, <c>(music)</c>, <c>(speaking in foreign language)</c>), is left out: it is no one's words.
/// </summary>
public sealed partial class WhisperRecognizer : ISpeechRecognizer
{
    /// <summary>How many prompts (meetings' keywords) keep a processor; past it the least recently used is disposed.</summary>
    public const int MaxPrompts = 4;

    private readonly Lock _sync = new();
    private readonly WhisperFactory _factory;
    private readonly string _language;
    private readonly bool _multilingual;
    private readonly StringBuilder _heard = new();
    private readonly LinkedList<(string Prompt, WhisperProcessor Processor)> _processors = new(); // most recently used first

    private WhisperRecognizer(WhisperFactory factory, string language, bool multilingual)
    {
        _factory = factory;
        _language = language;
        _multilingual = multilingual;
    }

    public string Engine => "whisper";

    public static WhisperRecognizer Load(string? modelPath, string language)
    {
        if (string.IsNullOrWhiteSpace(modelPath))
        {
            throw new SpeechEngineException("whisper: no model named (--whisper-model PATH, e.g. ggml-base.en.bin)");
        }

        if (!File.Exists(modelPath))
        {
            throw new SpeechEngineException($"whisper: the model {modelPath} does not exist");
        }

        if (WhisperModelFile.Problem(modelPath) is { } problem)
        {
            throw new SpeechEngineException($"whisper: {modelPath} {problem}");
        }

        bool multilingual = WhisperModelFile.IsMultilingual(modelPath);
        WhisperLibrary.Load();
        try
        {
            var recognizer = new WhisperRecognizer(WhisperFactory.FromPath(modelPath), language, multilingual);
            recognizer.Processor("");
            return recognizer;
        }
        catch (Exception ex) when (ex is WhisperModelLoadException or DllNotFoundException or InvalidOperationException or ArgumentException)
        {
            throw new SpeechEngineException($"whisper: {modelPath} could not be loaded ({ex.Message})", ex);
        }
    }

    public bool Recognises(string language) => _multilingual ? language == SpeechSettings.AutoDetect || SpeechLanguages.IsWhisper(language) : language == "en";

    public string Recognize(ReadOnlySpan<short> samples, SpeechSettings? settings = null)
    {
        float[] floats = new float[samples.Length];
        for (int i = 0; i < samples.Length; i++)
        {
            floats[i] = samples[i] / 32768f;
        }

        lock (_sync)
        {
            var processor = Processor(settings?.Prompt ?? "");
            processor.ChangeLanguage(settings?.Language ?? _language);
            _heard.Clear();
            processor.Process(floats);
            return Spaces().Replace(NotWords().Replace(_heard.ToString(), " "), " ").Trim();
        }
    }

    public void Dispose()
    {
        lock (_sync)
        {
            foreach (var (_, processor) in _processors)
            {
                processor.Dispose();
            }

            _processors.Clear();
        }

        _factory.Dispose();
    }

    [GeneratedRegex(@"\[[^\]]*\]|\([^)]*\)")]
    private static partial Regex NotWords();

    [GeneratedRegex(@"\s{2,}")]
    private static partial Regex Spaces();

    /// <summary>The processor of <paramref name="prompt"/> (empty: none), made when none is kept, and now the most recently used.</summary>
    private WhisperProcessor Processor(string prompt)
    {
        for (var node = _processors.First; node is not null; node = node.Next)
        {
            if (node.Value.Prompt == prompt)
            {
                _processors.Remove(node);
                _processors.AddFirst(node);
                return node.Value.Processor;
            }
        }

        var builder = _factory.CreateBuilder()
            .WithLanguage(_language)
            .WithThreads(Math.Max(1, Environment.ProcessorCount / 2))
            .WithSegmentEventHandler(segment => _heard.Append(segment.Text));
        var processor = (prompt.Length > 0 ? builder.WithPrompt(prompt) : builder).Build();
        _processors.AddFirst((prompt, processor));
        if (_processors.Count > MaxPrompts)
        {
            _processors.Last!.Value.Processor.Dispose();
            _processors.RemoveLast();
        }

        return processor;
    }
}
