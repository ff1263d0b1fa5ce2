namespace Stagecast.Testing;

/// <summary>
/// A real, trained whisper.cpp model for the speech tests: <c>ggml-tiny-q8_0.bin</c> (OpenAI Whisper tiny,
/// multilingual, 8-bit, MIT; 41.5 MiB), the file whisper.cpp's model card lists, which <c>./test.sh</c> fetches into
/// <c>tests/models</c> when it is missing (<c>tests/models/fetch-whisper-tiny.sh</c>: from Debian's
/// <c>obs-advanced-scene-switcher-data</c>, its sha256 checked).
/// </summary>
public static class WhisperTinyModel
{
    public const string FileName = "ggml-tiny-q8_0.bin";

    /// <summary>Where the model is kept: <c>tests/models</c>.</summary>
    public static string Directory => System.IO.Path.Combine(Browser.RepositoryRoot(), "tests", "models");

    /// <summary>The model's path, or null when it has not been fetched.</summary>
    public static string? Find() => System.IO.Path.Combine(Directory, FileName) is var path && File.Exists(path) ? path : null;

    /// <summary>The model's path; throws naming the script that fetches it when it is not there.</summary>
    public static string Path => Find()
        ?? throw new InvalidOperationException($"{System.IO.Path.Combine(Directory, FileName)} is missing: run tests/models/fetch-whisper-tiny.sh {Directory} (./test.sh does)");
}
