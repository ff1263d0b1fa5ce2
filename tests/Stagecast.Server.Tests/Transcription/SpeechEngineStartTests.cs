using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Stagecast.Server.Features.Transcription;
using Stagecast.Speech;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Transcription;

/// <summary>
/// The speech engine is chosen by configuration and loaded at start: off by default; PocketSphinx from Debian's
/// packages; whisper when a model is named, with or without the engine's name; a whisper model that is missing leaves
/// transcription off with the reason, and the server runs.
/// </summary>
public sealed class SpeechEngineStartTests
{
    [Fact]
    public async Task WithoutAnEngineTranscriptionIsOffAndNothingIsWrong()
    {
        await using var _ = (await ServerFixture.StartAsync([])).AsAsyncDisposable(out var server);
        var engine = server.App.Services.GetRequiredService<SpeechEngine>();
        Assert.Null(engine.Recognizer);
        Assert.Null(engine.Problem);
    }

    [Fact]
    public async Task PocketSphinxIsLoadedWhenNamed()
    {
        await using var _ = (await ServerFixture.StartAsync(["--transcription-engine", "pocketsphinx"])).AsAsyncDisposable(out var server);
        var engine = server.App.Services.GetRequiredService<SpeechEngine>();
        Assert.Equal("pocketsphinx", engine.Recognizer?.Engine);
    }

    [Fact]
    public async Task AnEngineThatIsNotOneIsRefusedAtStartNamingTheSetting()
    {
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => ServerFixture.StartAsync(["--transcription-engine", "deepspeech"]));
        Assert.Contains("--transcription-engine must be none, pocketsphinx or whisper", refused.Message);
    }

    [Fact]
    public async Task AWhisperModelAloneRunsWhisper()
    {
        await using var _ = (await ServerFixture.StartAsync(["--whisper-model", WhisperTinyModel.Path])).AsAsyncDisposable(out var server);
        var engine = server.App.Services.GetRequiredService<SpeechEngine>();
        Assert.Equal("whisper", engine.Recognizer?.Engine);
        Assert.Null(engine.Problem);
    }

    [Fact]
    public async Task AMissingWhisperModelLeavesTranscriptionOffWithTheReasonAndTheServerRuns()
    {
        string model = Path.Combine(Path.GetTempPath(), $"ggml-missing-{Guid.NewGuid():N}.bin");
        await using var _ = (await ServerFixture.StartAsync(["--transcription-engine", "whisper", "--whisper-model", model])).AsAsyncDisposable(out var server);
        var engine = server.App.Services.GetRequiredService<SpeechEngine>();
        Assert.Null(engine.Recognizer);
        Assert.Equal($"whisper: the model {model} does not exist", engine.Problem);
        Assert.True((await server.Http.GetAsync("/healthz")).IsSuccessStatusCode);
    }

    [Fact]
    [Trait("Category", "InProcess")]
    public async Task AnEngineWhoseLoadingThrowsAnythingLeavesTranscriptionOffWithTheReason()
    {
        var options = Options.Create(new TranscriptionOptions { Engine = "whisper" });
        var engine = new SpeechEngine(options, NullLogger<SpeechEngine>.Instance,
            _ => throw new PlatformNotSupportedException("AVX is not supported on this platform, and noavx runtime is not available."));

        await engine.RunAsync(CancellationToken.None);

        Assert.Null(engine.Recognizer);
        Assert.Equal("whisper: it could not be loaded (AVX is not supported on this platform, and noavx runtime is not available.)", engine.Problem);
    }
}
