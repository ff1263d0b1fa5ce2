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

    /// <summary>The model's path; throws naming the script that fetches it when it is not there.</summary>
    public static string Path
    {
        get
        {
            string directory = System.IO.Path.Combine(Browser.RepositoryRoot(), "tests", "models");
            string path = System.IO.Path.Combine(directory, FileName);
            return File.Exists(path)
                ? path
                : throw new InvalidOperationException($"{path} is missing: run tests/models/fetch-whisper-tiny.sh {directory} (./test.sh does)");
        }
    }
}
