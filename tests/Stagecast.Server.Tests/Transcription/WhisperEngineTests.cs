using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Stagecast.Server.Features.Transcription;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Speech;
using Stagecast.Testing;
using Stagecast.Testing.WebRtc;

namespace Stagecast.Server.Tests.Transcription;

/// <summary>
/// The whisper engine in the server with a real, trained model (<see cref="WhisperTinyModel"/>: Whisper tiny,
/// multilingual): the server started with <c>--transcription-engine whisper --whisper-model</c> loads it, and a
/// transcribed participant's sentences go through the SFU, the Opus decoder, the segmenter and whisper.cpp to every
/// peer as <c>transcript</c> messages within a word error rate measured here; a meeting held in Spanish
/// (<c>ai_config.transcription.language</c>) gets Spanish transcripts and Spanish captions in its livestream.
/// </summary>
public sealed class WhisperEngineTests : IAsyncLifetime
{
    private readonly DateTimeOffset _began = DateTimeOffset.UtcNow;
    private MeetingMediaServer _media = null!;

    public async Task InitializeAsync()
    {
        _media = await MeetingMediaServer.StartAsync(null, "--transcription-engine", "whisper", "--whisper-model", WhisperTinyModel.Path);
        (await _media.Api.PostAsync("/presets", JsonSerializer.Serialize(new
        {
            name = "transcribed",
            config = new { view_type = "GROUP_CALL" },
            permissions = new { can_produce_audio = true, can_produce_video = true, transcription_enabled = true },
        }))).EnsureOk();
    }

    public async Task DisposeAsync() => await _media.DisposeAsync();

    [Fact]
    public async Task AParticipantsSentencesThroughTheSfuAreHeardWithinTheWordErrorRateItMeetsHere()
    {
        var engine = _media.Service<SpeechEngine>();
        Assert.Equal("whisper", engine.Recognizer?.Engine);
        Assert.Null(engine.Problem);

        string meeting = await _media.Api.CreateMeetingAsync();
        string[] said = SpokenAudio.MeetingSentences[..3];
        var (bob, adaPeer) = await SpeakAsync(meeting, said, SpokenAudio.English);

        var heard = bob.Seen.Where(m => m.GetProperty("type").GetString() == "transcript").ToList();
        double rate = WordErrorRate.Of(string.Join(' ', said), string.Join(' ', heard.Select(h => h.GetProperty("text").GetString())));
        // Measured here: 4 of these 17 words wrong (24 %, as whisper hears the same sentences without Opus and the SFU:
        // "meeting" -> "media", "the weather is" -> "but where very"). Bound at 50 %: audio at the wrong rate, spliced,
        // or heard in another language is nearly all wrong.
        Assert.True(rate <= 0.5, $"word error rate {rate:P0}: {string.Join(" | ", heard.Select(h => h.GetProperty("text").GetString()))}");
        var first = heard[0];
        Assert.Equal((adaPeer, "Ada"), (first.GetProperty("peer_id").GetString(), first.GetProperty("name").GetString()));
        var (started, ended) = (first.GetProperty("started_at").GetDateTimeOffset(), first.GetProperty("ended_at").GetDateTimeOffset());
        Assert.InRange(started, _began.AddMinutes(-1), ended); // the utterance's times, as with any engine
        Assert.Equal(0, _media.Service<LiveTranscripts>().Dropped);
        Assert.Matches("stagecast_transcription_utterances_total\\{outcome=\"recognised\"\\} [1-9]", await _media.Server.MetricsAsync());
    }

    [Fact]
    public async Task AMeetingHeldInSpanishGetsSpanishTranscriptsAndCaptions()
    {
        // A language whisper does not know, or no language at all, is refused naming the field.
        var refused = await _media.Api.PostAsync("/meetings", """{"title":"x","ai_config":{"transcription":{"language":"tlh"}}}""");
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains("\"ai_config.transcription.language\" must be a BCP 47 language tag", refused.ErrorMessage);

        string meeting = await _media.Api.CreateMeetingAsync("""{"title":"Reunión","ai_config":{"transcription":{"language":"es","profanity_filter":true}}}""");
        var started = (await _media.Api.PostAsync($"/meetings/{meeting}/livestreams", """{"video_config":{"width":320,"height":180}}""")).EnsureOk().Data;
        string playback = started.GetProperty("playback_url").GetString()!;
        string[] said = SpokenAudio.SpanishSentences[1..];
        var cues = new List<string>();
        using var stop = new CancellationTokenSource();
        Task? reading = null;
        var (bob, _) = await SpeakAsync(meeting, said, SpokenAudio.Spanish, async () =>
        {
            await _media.Api.WaitForStatusAsync(started.GetProperty("id").GetString()!, "LIVE");
            await _media.Server.WaitUntilPlayableAsync(playback);

            // The livestream's captions are the meeting's language, named so for players; read as a player does from
            // before Ada speaks (a live playlist lists the latest segments only).
            string multivariant = await _media.Server.Http.GetStringAsync(playback);
            var subtitles = Regex.Match(multivariant, "^#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"Spanish\",LANGUAGE=\"es\",DEFAULT=YES,AUTOSELECT=YES,URI=\"([^\"]+)\"$",
                RegexOptions.Multiline);
            Assert.True(subtitles.Success, multivariant);
            reading = ReadCuesAsync(new Uri(new Uri(playback), subtitles.Groups[1].Value), cues, stop.Token);
        });

        var lines = bob.Seen.Where(m => m.GetProperty("type").GetString() == "transcript").Select(m => m.GetProperty("text").GetString()!).ToList();
        double rate = WordErrorRate.Of(string.Join(' ', said), string.Join(' ', lines));
        // Measured here: 2 of these 10 words wrong (20 %: "presupuesto" -> "preso puesto"); bound at 50 %, as above.
        Assert.True(rate <= 0.5, $"word error rate {rate:P0}: {string.Join(" | ", lines)}");

        // The captions carry the same lines.
        await Eventually.TrueAsync(() => { lock (cues) { return cues.Count >= lines.Count; } }, "WebVTT segments with Ada's lines", TimeSpan.FromSeconds(60));
        await stop.CancelAsync();
        await reading!;
        Assert.Equal(lines, cues);
    }

    /// <summary>Collects the cues of Ada's in the subtitles playlist's WebVTT files, each once (a cue spanning files is in each), until stopped.</summary>
    private async Task ReadCuesAsync(Uri subtitles, List<string> cues, CancellationToken stop)
    {
        var read = new HashSet<string>(StringComparer.Ordinal);
        while (!stop.IsCancellationRequested)
        {
            string playlist = await _media.Server.Http.GetStringAsync(subtitles, CancellationToken.None);
            foreach (string file in playlist.Split('\n').Where(l => l.EndsWith(".vtt", StringComparison.Ordinal) && read.Add(l)))
            {
                string vtt = await _media.Server.Http.GetStringAsync(new Uri(subtitles, file), CancellationToken.None);
                lock (cues)
                {
                    cues.AddRange(Regex.Matches(vtt, "\n<v Ada>(.+)\n").Select(m => m.Groups[1].Value).Where(c => !cues.Contains(c)));
                }
            }

            await Task.Delay(250, CancellationToken.None); // a player's reload, about a part
        }
    }

    /// <summary>
    /// Ada (transcribed) says <paramref name="sentences"/> in the meeting, each followed by a second's pause, once
    /// <paramref name="ready"/> is; returns Bob's channel once the server has recognised as many utterances, and Ada's peer.
    /// </summary>
    private async Task<(RealtimeTestClient Bob, string AdaPeer)> SpeakAsync(string meeting, string[] sentences, string voice, Func<Task>? ready = null)
    {
        var ada = await _media.Api.AddParticipantAsync(meeting, "ada", "transcribed", name: "Ada");
        var bob = await _media.Api.AddParticipantAsync(meeting, "bob", "group_call_host", name: "Bob");
        var (_, adaPeer) = await _media.JoinChannelAsync(ada);
        var (bobChannel, _) = await _media.JoinChannelAsync(bob);
        var adaAudio = RtpSender.Opus(await _media.PublishAsync(ada, adaPeer));
        var transcripts = _media.Service<LiveTranscripts>();
        await MeetingMediaServer.WhileSendingAsync(() => adaAudio.Send(), () => transcripts.ListeningTo(meeting).Contains(adaPeer), "the server listening to Ada");
        if (ready is not null)
        {
            await ready();
        }

        long before = transcripts.Recognised;
        foreach (string sentence in sentences)
        {
            foreach (var packet in SpokenAudio.SayAsOpus(sentence, TimeSpan.FromSeconds(1), voice))
            {
                adaAudio.Send(packet);
                await Task.Delay(5);
            }
        }

        await Eventually.TrueAsync(() => transcripts.Recognised >= before + sentences.Length, "whisper to recognise every sentence", TimeSpan.FromSeconds(90));
        await Eventually.TrueAsync(() => bobChannel.Seen.Count(m => m.GetProperty("type").GetString() == "transcript") >= sentences.Length, "Bob to get every line");
        return (bobChannel, adaPeer);
    }
}
