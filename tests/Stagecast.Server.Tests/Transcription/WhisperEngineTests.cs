using System.Text.Json;
using Stagecast.Server.Features.Transcription;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;
using Stagecast.Testing.WebRtc;

namespace Stagecast.Server.Tests.Transcription;

/// <summary>
/// The whisper engine in the server, on a model made here (<see cref="GeneratedWhisperModel"/>: a real model's layout,
/// a tiny architecture, random weights; none can be downloaded on these machines): the server started with
/// <c>--transcription-engine whisper --whisper-model</c> loads it, and a transcribed participant's utterance goes
/// through the SFU, the decoder and whisper.cpp to every peer as a <c>transcript</c> message. Its words are the
/// model's noise; the path is what is shown, not recognition.
/// </summary>
public sealed class WhisperEngineTests : IAsyncLifetime
{
    private readonly string _model = GeneratedWhisperModel.Write(Path.Combine(Path.GetTempPath(), $"ggml-generated-{Guid.NewGuid():N}.bin"));
    private readonly DateTimeOffset _began = DateTimeOffset.UtcNow;
    private MeetingMediaServer _media = null!;

    public async Task InitializeAsync() =>
        _media = await MeetingMediaServer.StartAsync(null, "--transcription-engine", "whisper", "--whisper-model", _model);

    public async Task DisposeAsync()
    {
        await _media.DisposeAsync();
        File.Delete(_model);
    }

    [Fact]
    public async Task AGeneratedModelIsLoadedAndALiveUtteranceComesBackAsATranscript()
    {
        var engine = _media.Service<SpeechEngine>();
        Assert.Equal("whisper", engine.Recognizer?.Engine);
        Assert.Null(engine.Problem);

        (await _media.Api.PostAsync("/presets", JsonSerializer.Serialize(new
        {
            name = "transcribed",
            config = new { view_type = "GROUP_CALL" },
            permissions = new { can_produce_audio = true, can_produce_video = true, transcription_enabled = true },
        }))).EnsureOk();
        string meeting = await _media.Api.CreateMeetingAsync();
        var ada = await _media.Api.AddParticipantAsync(meeting, "ada", "transcribed", name: "Ada");
        var bob = await _media.Api.AddParticipantAsync(meeting, "bob", "group_call_host", name: "Bob");
        var (_, adaPeer) = await _media.JoinChannelAsync(ada);
        var (bobChannel, _) = await _media.JoinChannelAsync(bob);

        var adaAudio = RtpSender.Opus(await _media.PublishAsync(ada, adaPeer));
        var transcripts = _media.Service<LiveTranscripts>();
        await MeetingMediaServer.WhileSendingAsync(() => adaAudio.Send(), () => transcripts.ListeningTo(meeting).Contains(adaPeer), "the server listening to Ada");
        foreach (var packet in SpokenAudio.SayAsOpus(SpokenAudio.MeetingSentences[1], TimeSpan.FromSeconds(1)))
        {
            adaAudio.Send(packet);
            await Task.Delay(5);
        }

        var heard = await bobChannel.WaitForEventAsync("transcript", timeout: TimeSpan.FromSeconds(60));
        Assert.Matches(@"^w\d+( w\d+)*$", heard.GetProperty("text").GetString()); // the generated vocabulary's words
        Assert.Equal((adaPeer, "Ada"), (heard.GetProperty("peer_id").GetString(), heard.GetProperty("name").GetString()));
        var (started, ended) = (heard.GetProperty("started_at").GetDateTimeOffset(), heard.GetProperty("ended_at").GetDateTimeOffset());
        Assert.InRange(started, _began.AddMinutes(-1), ended); // the utterance's times, as with any engine
        Assert.InRange((ended - started).TotalSeconds, 1, 4); // espeak-ng says the sentence in about 1.6 s
        Assert.Equal(0, transcripts.Dropped);
        Assert.Matches("stagecast_transcription_utterances_total\\{outcome=\"recognised\"\\} [1-9]", await _media.Server.MetricsAsync());
    }
}
