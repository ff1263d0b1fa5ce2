using System.Text;
using Whisper.net;

namespace Stagecast.Speech;

/// <summary>
/// whisper.cpp through Whisper.net with the ggml model file the operator names (<c>ggml-base.en.bin</c>, ...). The
/// model is checked when the server starts: a missing, empty or foreign file is refused with its path, before any
/// meeting needs it.
/// </summary>
public sealed class WhisperRecognizer : ISpeechRecognizer
{
    private readonly Lock _sync = new();
    private readonly WhisperFactory _factory;
    private readonly WhisperProcessor _processor;
    private readonly StringBuilder _heard = new();

    private WhisperRecognizer(WhisperFactory factory, string language)
    {
        _factory = factory;
        _processor = factory.CreateBuilder()
            .WithLanguage(language)
            .WithThreads(Math.Max(1, Environment.ProcessorCount / 2))
            .WithSegmentEventHandler(segment => _heard.Append(segment.Text))
            .Build();
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

        WhisperLibrary.Load();
        try
        {
            return new WhisperRecognizer(WhisperFactory.FromPath(modelPath), language);
        }
        catch (Exception ex) when (ex is WhisperModelLoadException or DllNotFoundException or InvalidOperationException or ArgumentException)
        {
            throw new SpeechEngineException($"whisper: {modelPath} could not be loaded ({ex.Message})", ex);
        }
    }

    public string Recognize(ReadOnlySpan<short> samples)
    {
        float[] floats = new float[samples.Length];
        for (int i = 0; i < samples.Length; i++)
        {
            floats[i] = samples[i] / 32768f;
        }

        lock (_sync)
        {
            _heard.Clear();
            _processor.Process(floats);
            return _heard.ToString().Trim();
        }
    }

    public void Dispose()
    {
        _processor.Dispose();
        _factory.Dispose();
    }
}
