using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using System.Text.Json;
using Microsoft.Playwright;
using Stagecast.RealtimeKit.Protocol.Ai;
using Stagecast.RealtimeKit.Protocol.Presets;
using Stagecast.Server.Features.MeetingMedia;
using Stagecast.Server.Features.Transcription;
using Stagecast.Server.Tests.Client;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Server.Tests.RealtimeKit;
using Stagecast.Speech;
using Stagecast.Testing;
using Stagecast.Testing.RealtimeKit;
using Stagecast.Testing.WebRtc;
using Events = Stagecast.RealtimeKit.RealtimeKitEvents;

namespace Stagecast.Server.Tests.Transcription;

/// <summary>
/// Live transcripts on the server's CPU with PocketSphinx: a participant whose preset has <c>transcription_enabled</c>
/// speaks (espeak-ng's sentence as a browser's Opus packets, over meeting WHIP) and every peer hears the words with the
/// speaker's name and times: on the JSON channel (<c>transcript</c>), on RealtimeKit's socket (room event 32, the CSV
/// line the SDK parses), and through RealtimeKit's unmodified SDK in Chromium (<c>meeting.ai.transcripts</c>, its
/// <c>transcript</c> event, and on 2.0.2 the UI kit's captions) and Stagecast's own client module and meeting page
/// (<c>meeting.ai</c>, the caption on the speaker's tile); a participant whose preset does not ask is not listened to.
/// </summary>
public sealed class LiveTranscriptTests : IAsyncLifetime
{
    private const string Sentence = "the weather is nice today";
    private const string AdaName = "Ada, \"the\" host";
    private readonly DateTimeOffset _began = DateTimeOffset.UtcNow; // before anything of the test was said
    private MeetingMediaServer _media = null!;
    private string _meeting = null!;

    public async Task InitializeAsync()
    {
        _media = await MeetingMediaServer.StartAsync(null, "--transcription-engine", "pocketsphinx");
        (await _media.Api.PostAsync("/presets", JsonSerializer.Serialize(new
        {
            name = "transcribed",
            config = new { view_type = "GROUP_CALL" },
            permissions = new { can_produce_audio = true, can_produce_video = true, transcription_enabled = true },
        }))).EnsureOk();
        _meeting = await _media.Api.CreateMeetingAsync();
    }

    public async Task DisposeAsync() => await _media.DisposeAsync();

    [Fact]
    public async Task AParticipantsWordsReachEveryPeerWithTheirNameOnBothFrontEnds()
    {
        var ada = await _media.Api.AddParticipantAsync(_meeting, "ada-7", "transcribed", name: AdaName);
        var bob = await _media.Api.AddParticipantAsync(_meeting, "bob", "group_call_host", name: "Bob");
        var cy = await _media.Api.AddParticipantAsync(_meeting, "cy", "group_call_host", name: "Cy");
        var (adaChannel, adaPeer) = await _media.JoinChannelAsync(ada);
        var (bobChannel, bobPeer) = await _media.JoinChannelAsync(bob);
        var cyClient = await _media.JoinRealtimeKitAsync(cy);

        // Ada and Bob publish; only Ada's preset asks for transcripts.
        var adaAudio = RtpSender.Opus(await _media.PublishAsync(ada, adaPeer));
        var bobAudio = RtpSender.Opus(await _media.PublishAsync(bob, bobPeer));
        await SayAsync(adaPeer, adaAudio, bobAudio.Send);
        Assert.Equal([adaPeer], _media.Service<LiveTranscripts>().ListeningTo(_meeting));
        // Prometheus sees whom it listens to, read while her microphone's stream is live: it ends 10 s after her last
        // packet, which under load came before her words were recognised.
        Assert.Contains("stagecast_transcription_speakers 1", await _media.Server.MetricsAsync());

        var heard = await bobChannel.WaitForEventAsync("transcript", timeout: TimeSpan.FromSeconds(30));
        string text = heard.GetProperty("text").GetString()!;
        AssertHeard(text);
        Assert.Equal(adaPeer, heard.GetProperty("peer_id").GetString());
        Assert.Equal(ada.Id, heard.GetProperty("user_id").GetString());
        Assert.Equal("ada-7", heard.GetProperty("custom_participant_id").GetString());
        Assert.Equal(AdaName, heard.GetProperty("name").GetString());
        var (started, ended) = (heard.GetProperty("started_at").GetDateTimeOffset(), heard.GetProperty("ended_at").GetDateTimeOffset());
        // Dated back from its arrival by its samples: the sentence is sent faster than it is said, so it may seem to begin a
        // little before the test did; never after it was heard, and never in another era (a unit mistaken).
        Assert.InRange(started, _began.AddMinutes(-1), ended);
        Assert.True(ended <= DateTimeOffset.UtcNow, $"heard before it ended: {ended:O}");
        Assert.InRange((ended - started).TotalSeconds, 1, 4); // the utterance's samples: espeak-ng says it in about 1.6 s
        Assert.Equal(text, (await adaChannel.WaitForEventAsync("transcript")).GetProperty("text").GetString()); // the speaker too

        // RealtimeKit's SDK reads one CSV line: epoch seconds, peer id, user id, custom id, name, words (quoted).
        var pushed = await cyClient.Socket.WaitForAsync(m => m.Event == Events.Room.Transcript);
        var line = MeetingTranscript.Parser.ParseFrom(pushed.Payload);
        Assert.Equal(_meeting, line.MeetingId);
        Assert.False(line.IsPartial);
        Assert.Equal($"\"{started.ToUnixTimeSeconds()}\",\"{adaPeer}\",\"{ada.Id}\",\"ada-7\",\"Ada, \"\"the\"\" host\",\"{text}\"", line.Transcript);
        Assert.Equal(0, _media.Service<LiveTranscripts>().Dropped);

        // Prometheus sees the work: her utterance recognised, none dropped.
        string metrics = await _media.Server.MetricsAsync();
        Assert.Matches("stagecast_transcription_utterances_total\\{outcome=\"recognised\"\\} [1-9]", metrics);
        Assert.Contains("stagecast_transcription_utterances_total{outcome=\"dropped\"} 0", metrics);
    }

    [Trait(LongLane.Trait, LongLane.Name)]
    [Theory]
    [InlineData("2.0.2")]
    [InlineData("1.5.1")]
    public async Task RealtimeKitsSdkFillsMeetingAiAndTheUiKitShowsTheCaption(string sdk)
    {
        var ada = await _media.Api.AddParticipantAsync(_meeting, "ada-7", "transcribed", name: AdaName);
        var bob = await _media.Api.AddParticipantAsync(_meeting, "bob", "transcribed", name: "Bob");
        var (_, adaPeer) = await _media.JoinChannelAsync(ada);
        await using var browser = await RealtimeKitBrowser.LaunchAsync(_media.HttpsPort, _media.Certificate);
        var bobPage = await browser.JoinAsync(bob.Token, media: false, sdkVersion: sdk);
        if (sdk == "2.0.2")
        {
            await bobPage.OpenUiKitAsync(); // captions on by default: Bob's preset has transcription_enabled
        }

        var adaAudio = RtpSender.Opus(await _media.PublishAsync(ada, adaPeer));
        await SayAsync(adaPeer, adaAudio, () => { });

        var state = await bobPage.WaitForStateAsync(s => s.Transcripts.Count > 0, "Bob's meeting.ai.transcripts", TimeSpan.FromSeconds(30));
        var transcript = Assert.Single(state.Transcripts);
        AssertHeard(transcript.Transcript);
        Assert.Equal((adaPeer, ada.Id, "ada-7", AdaName, false), (transcript.PeerId, transcript.UserId, transcript.CustomParticipantId, transcript.Name, transcript.IsPartialTranscript));
        Assert.InRange(DateTimeOffset.Parse(transcript.Date, System.Globalization.CultureInfo.InvariantCulture), _began.AddMinutes(-1), DateTimeOffset.UtcNow); // whole seconds, dated back
        Assert.Equal(1, state.TranscriptEvents);
        if (sdk == "2.0.2")
        {
            await Eventually.TrueAsync(async () => (await bobPage.UiKitAsync()).Captions.Contains($"{AdaName}: {transcript.Transcript}"), "the UI kit's caption of Ada's words");
        }

        Assert.Empty(state.Uncaught);

        // Dan joins later: his SDK fetches the transcript so far (active-transcript, then the signed link from the app's
        // page) and has Ada's line without a transcript event.
        var dan = await _media.Api.AddParticipantAsync(_meeting, "dan", "transcribed", name: "Dan");
        var danPage = await browser.JoinAsync(dan.Token, media: false, sdkVersion: sdk);
        var history = await danPage.WaitForStateAsync(s => s.Transcripts.Count > 0, "Dan's meeting.ai.transcripts from the history", TimeSpan.FromSeconds(30));
        Assert.Equal((transcript.Transcript, transcript.PeerId, transcript.Name, 0), (Assert.Single(history.Transcripts).Transcript, history.Transcripts[0].PeerId,
            history.Transcripts[0].Name, history.TranscriptEvents));
    }

    [Fact]
    public async Task AMeetingsTranscriptionSettingsAreCheckedAndALanguagePocketSphinxDoesNotKnowIsRefused()
    {
        foreach (var (transcription, problem) in new[]
        {
            ("""{"language":"english"}""", "\"ai_config.transcription.language\" must be a BCP 47 language tag of a language whisper knows"),
            ("""{"language":7}""", "\"ai_config.transcription.language\" must be a BCP 47 language tag"),
            ("""{"keywords":"Stagecast"}""", "\"ai_config.transcription.keywords\" must be a list of up to 100 words of 1 to 100 characters"),
            ("""{"keywords":[""]}""", "\"ai_config.transcription.keywords\" must be a list"),
            ("""{"keywords":["a\u0000b"]}""", "\"ai_config.transcription.keywords\" must be a list"),
            ("{\"keywords\":[" + string.Join(',', Enumerable.Repeat("\"x\"", 101)) + "]}", "\"ai_config.transcription.keywords\" must be a list"),
            ("""{"profanity_filter":"yes"}""", "\"ai_config.transcription.profanity_filter\" must be true or false"),
            ("[]", "\"ai_config.transcription\" must be an object"),
        })
        {
            var refused = await _media.Api.PostAsync("/meetings", "{\"title\":\"x\",\"ai_config\":{\"transcription\":" + transcription + "}}");
            Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
            Assert.Contains(problem, refused.ErrorMessage);
        }

        // A language PocketSphinx's English models cannot do is refused when the meeting is created or changed.
        const string Spanish = """{"ai_config":{"transcription":{"language":"es-MX"}}}""";
        const string Refusal = "\"ai_config.transcription.language\" es-MX is not a language this server's speech engine (pocketsphinx) recognises: its model knows English only";
        var created = await _media.Api.PostAsync("/meetings", Spanish);
        Assert.Equal((HttpStatusCode.BadRequest, "BAD_REQUEST: " + Refusal), (created.Status, created.ErrorMessage));
        var patched = await _media.Api.SendAsync(HttpMethod.Patch, $"/meetings/{_meeting}", Spanish);
        Assert.Equal((HttpStatusCode.BadRequest, "BAD_REQUEST: " + Refusal), (patched.Status, patched.ErrorMessage));

        // English in any of RealtimeKit's spellings is taken, with keywords and the filter, and kept as given.
        string english = await _media.Api.CreateMeetingAsync("""{"title":"y","ai_config":{"transcription":{"language":"en-US","keywords":["Stagecast"],"profanity_filter":true}}}""");
        var kept = (await _media.Api.GetAsync($"/meetings/{english}")).EnsureOk().Data.GetProperty("ai_config").GetProperty("transcription");
        Assert.Equal(("en-US", "Stagecast", true), (kept.GetProperty("language").GetString(), kept.GetProperty("keywords")[0].GetString(), kept.GetProperty("profanity_filter").GetBoolean()));
    }

    [Trait(LongLane.Trait, LongLane.Name)]
    [Fact]
    public async Task TheMeetingsLivestreamCarriesTheWordsAsWebVttSubtitlesLinedUpWithItsSegments()
    {
        var ada = await _media.Api.AddParticipantAsync(_meeting, "ada-7", "transcribed", name: "Ada");
        var (_, adaPeer) = await _media.JoinChannelAsync(ada);
        var adaAudio = RtpSender.Opus(await _media.PublishAsync(ada, adaPeer));

        // Ada's microphone sends silence meanwhile, as a browser's would: starting the livestream and a player took more
        // than the server's 10 s media timeout on a busy machine once, and her publication was closed for sending nothing.
        var silence = MeetingMediaServer.KeepSending(() => adaAudio.Send());
        var started = (await _media.Api.PostAsync($"/meetings/{_meeting}/livestreams", """{"video_config":{"width":320,"height":180}}""")).EnsureOk().Data;
        string playback = started.GetProperty("playback_url").GetString()!;
        await _media.Api.WaitForStatusAsync(started.GetProperty("id").GetString()!, "LIVE");
        await _media.Server.WaitUntilPlayableAsync(playback);
        // A recording of the meeting (its program) writes the captions too.
        string recording = (await _media.Api.PostAsync("/recordings", JsonSerializer.Serialize(new { meeting_id = _meeting, video_config = new { width = 320, height = 180 } })))
            .EnsureOk().Data.GetProperty("id").GetString()!;
        await _media.Api.WaitForAsync($"/recordings/{recording}", r => r.Data.GetProperty("status").GetString() == "RECORDING");

        // The multivariant playlist lists the subtitles rendition, and every variant names its group.
        string multivariant = await _media.Server.Http.GetStringAsync(playback);
        var subtitles = Regex.Match(multivariant, "^#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"English\",LANGUAGE=\"en\",DEFAULT=YES,AUTOSELECT=YES,URI=\"([^\"]+)\"$", RegexOptions.Multiline);
        Assert.True(subtitles.Success, multivariant);
        Assert.All(multivariant.Split('\n').Where(l => l.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal)), l => Assert.EndsWith(",SUBTITLES=\"subs\"", l));
        var subtitlesUrl = new Uri(new Uri(playback), subtitles.Groups[1].Value);
        var mediaUrl = new Uri(subtitlesUrl, "stream.m3u8");

        // hls.js plays it in Chromium before Ada speaks (a player loads the captions ahead of where it plays).
        await using var browser = await Browser.LaunchAsync($"--ignore-certificate-errors-spki-list={_media.Certificate.SpkiPin}");
        var player = await browser.OpenPlayerAsync();
        await player.EvaluateAsync("url => start(url)", playback);
        await Eventually.TrueAsync(async () => await player.EvaluateAsync<double>("() => document.getElementById('video').currentTime") > 0, "hls.js to play");

        await silence.DisposeAsync();
        await SayAsync(adaPeer, adaAudio, () => { });

        // Ada's words come in the WebVTT segment beside a part of the video, under the part's number (within a
        // minute: the suite's parallel load once kept PocketSphinx's answer past 30 s).
        var (segment, cue) = await Eventually.MatchAsync(async Task<(string? File, string? Text)> () =>
        {
            string playlist = await _media.Server.Http.GetStringAsync(subtitlesUrl);
            foreach (string file in playlist.Split('\n').Where(l => l.EndsWith(".vtt", StringComparison.Ordinal)))
            {
                string vtt = await _media.Server.Http.GetStringAsync(new Uri(subtitlesUrl, file));
                if (Regex.Match(vtt, "\n(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) --> \\d\\d:\\d\\d:\\d\\d\\.\\d{3}\n<v Ada>(.+)\n") is { Success: true } found)
                {
                    Assert.Matches("^WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:\\d+,LOCAL:00:00:00.000\n", vtt);
                    return (file, found.Groups[2].Value);
                }
            }

            return (null, null);
        }, found => found.File is not null, "a WebVTT segment with Ada's words", TimeSpan.FromSeconds(60));
        AssertHeard(cue!);
        long part = long.Parse(segment!["subs".Length..^".vtt".Length], CultureInfo.InvariantCulture);
        var media = ParsedPlaylist.Parse(await _media.Server.Http.GetStringAsync(mediaUrl));
        Assert.InRange(part, 0, PartNumber(media.Parts.Last().Uri)); // beside a part the video has had

        // hls.js shows it: the English subtitles track, selected by default, gets the cue.
        const string Cues = "() => Array.from(document.getElementById('video').textTracks).map(t => ({ label: t.label, language: t.language, mode: t.mode, cues: t.cues ? Array.from(t.cues).map(c => c.text) : [] }))";
        var tracks = await Eventually.MatchAsync(() => player.EvaluateAsync<JsonElement>(Cues), t => t.EnumerateArray().Any(track => track.GetProperty("cues").GetArrayLength() > 0),
            "hls.js's text track to get the cue", TimeSpan.FromSeconds(30), t => t.ToString());
        var track = Assert.Single(tracks.EnumerateArray(), t => t.GetProperty("cues").GetArrayLength() > 0);
        Assert.Equal(("English", "en", "showing"), (track.GetProperty("label").GetString(), track.GetProperty("language").GetString(), track.GetProperty("mode").GetString()));
        Assert.EndsWith(cue!, track.GetProperty("cues")[0].GetString());

        // The recording's WebVTT file beside its MP4 has her words under her name.
        (await _media.Api.SendAsync(HttpMethod.Put, $"/recordings/{recording}", """{"action":"stop"}""")).EnsureOk();
        var stored = (await _media.Api.WaitForAsync($"/recordings/{recording}", r => r.Data.GetProperty("status").GetString() == "UPLOADED")).Data;
        string captions = await _media.Server.Http.GetStringAsync(stored.GetProperty("captions_download_url").GetString());
        Assert.Contains($"<v Ada>{cue}\n", captions, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AHostsChangeOfAPeersTranscriptionAndAChangeOfTheMeetingTakeEffectAtOnce()
    {
        // Neither Ada's preset nor the meeting asks for transcripts: her microphone is not listened to.
        var ada = await _media.Api.AddParticipantAsync(_meeting, "ada-7", "group_call_host", name: AdaName);
        var host = await _media.Api.AddParticipantAsync(_meeting, "host", "group_call_host", name: "Host");
        var (_, adaPeer) = await _media.JoinChannelAsync(ada);
        await using var hostClient = await _media.JoinRealtimeKitAsync(host);
        var adaAudio = RtpSender.Opus(await _media.PublishAsync(ada, adaPeer));
        var hub = _media.Service<MeetingMediaHub>().Hub;
        await MeetingMediaServer.WhileSendingAsync(() => adaAudio.Send(),
            () => hub.Find(new MeetingStreamKey(_meeting, adaPeer, MediaSource.Camera).HubId)?.RtpAudio is not null, "Ada's audio in the hub");
        var transcripts = _media.Service<LiveTranscripts>();
        Assert.Empty(transcripts.ListeningTo(_meeting));

        // The host gives her transcription_enabled for the session, then takes it back: the room tells, and each change
        // holds by the time the host is answered (no poll of the room in between).
        async Task SetAsync(bool enabled)
        {
            var answer = await hostClient.Socket.RequestAsync(Events.Presets.UpdateUserPreset, new UpdatePeersPresetRequest
            {
                UpdatePeersPresets = { new UpdatePeerPreset { UserIds = ada.Id, Patch = new PresetUpdates { TranscriptionEnabled = enabled } } },
            });
            Assert.False(RealtimeKitSocketClient.IsError(answer));
        }

        await SetAsync(true);
        Assert.Equal([adaPeer], transcripts.ListeningTo(_meeting));
        await SetAsync(false);
        Assert.Empty(transcripts.ListeningTo(_meeting));

        // The app has the meeting keep a transcript (transcribe_on_end): everyone on the stage is listened to once it is answered.
        (await _media.Api.SendAsync(HttpMethod.Patch, $"/meetings/{_meeting}", """{"transcribe_on_end":true}""")).EnsureOk();
        Assert.Equal([adaPeer], transcripts.ListeningTo(_meeting));
    }

    [Fact]
    public async Task AMeetingThatTranscribesOnEndKeepsTheSessionsTranscriptAndTellsTheApp()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_media.Server.HttpBase, client: _media.Server.Http);
        (await _media.Api.PostAsync("/webhooks", JsonSerializer.Serialize(new { name = "ai", url = receiver.Url, events = new[] { "meeting.transcript", "meeting.summary" } }))).EnsureOk();
        _meeting = await _media.Api.CreateMeetingAsync("""{"title":"Kept","transcribe_on_end":true,"summarize_on_end":true}""");
        var ada = await _media.Api.AddParticipantAsync(_meeting, "ada-7", "group_call_host", name: "=Ada"); // no transcription_enabled
        var bob = await _media.Api.AddParticipantAsync(_meeting, "bob", "group_call_host", name: "Bob");
        var (_, adaPeer) = await _media.JoinChannelAsync(ada);
        var (bobChannel, _) = await _media.JoinChannelAsync(bob);
        string session = _media.Room(_meeting).SessionId!;
        await SayAsync(adaPeer, RtpSender.Opus(await _media.PublishAsync(ada, adaPeer)), () => { });

        // While the session is live its transcript is not ready: the error envelope says so.
        var live = await _media.Api.GetAsync($"/sessions/{session}/transcript");
        Assert.Equal(HttpStatusCode.NotFound, live.Status);
        Assert.Contains("is being processed", live.ErrorMessage);
        Assert.Equal(HttpStatusCode.BadRequest, (await _media.Api.GetAsync($"/sessions/{session}/transcript?format=DOCX")).Status);

        // The session ends (everyone removed) right after Ada spoke: her last words are recognised and kept, then the
        // app hears of the transcript, with a link to it as CSV.
        (await _media.Api.PostAsync($"/meetings/{_meeting}/active-session/kick-all")).EnsureOk();
        var hooks = await receiver.WaitForAsync(r => r.Count >= 2, TimeSpan.FromSeconds(60));
        Assert.Equal(["meeting.transcript", "meeting.summary"], hooks.Select(h => h.Event));
        var hook = hooks[0];
        Assert.True(hook.SignatureValid);
        Assert.Equal(("meeting.transcript", session), (hook.Event, hook.Json.GetProperty("meeting").GetProperty("sessionId").GetString()));
        string csv = await _media.Server.Http.GetStringAsync(hook.Json.GetProperty("transcriptDownloadUrl").GetString());
        string[] rows = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(TranscriptFormats.CsvHeader, rows[0]);
        var row = Assert.Single(rows[1..]).Split(',');
        Assert.Equal((adaPeer, ada.Id, "ada-7", "'=Ada"), (row[2], row[3], row[4], row[5])); // a formula-like name is defused
        AssertHeard(row[6]);

        // summarize_on_end: the summary follows (in process: her one line is the summary, in the default Markdown).
        string summary = await _media.Server.Http.GetStringAsync(hooks[1].Json.GetProperty("summaryDownloadUrl").GetString());
        Assert.Equal($"## Summary\n\n- **=Ada**: {row[6]}\n", summary);

        // The same transcript as WebVTT, through the API (cues count from the session's start).
        var asked = await _media.Api.GetAsync($"/sessions/{session}/transcript?format=VTT");
        Assert.Equal(session, asked.Data.GetProperty("sessionId").GetString());
        string vtt = await _media.Server.Http.GetStringAsync(asked.Data.GetProperty("transcript_download_url").GetString());
        Assert.StartsWith("WEBVTT\n\n", vtt);
        Assert.Matches($@"\n\d\d:\d\d:\d\d\.\d{{3}} --> \d\d:\d\d:\d\d\.\d{{3}}\n<v =Ada>{System.Text.RegularExpressions.Regex.Escape(row[6])}\n", vtt);
        var tampered = await _media.Server.Http.GetAsync(asked.Data.GetProperty("transcript_download_url").GetString()!.Replace("transcript.vtt", "transcript.srt", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Forbidden, tampered.StatusCode);

        // Ada's preset does not ask for live transcripts: nobody heard her words live.
        Assert.DoesNotContain(bobChannel.Seen, m => m.GetProperty("type").GetString() == "transcript");
    }

    [Trait(LongLane.Trait, LongLane.Name)]
    [Fact]
    public async Task StagecastJsFillsMeetingAiAndTheMeetingPageCaptionsTheSpeakersTile()
    {
        var ada = await _media.Api.AddParticipantAsync(_meeting, "ada-7", "transcribed", name: AdaName);
        var bob = await _media.Api.AddParticipantAsync(_meeting, "bob", "group_call_host", name: "Bob");
        var cy = await _media.Api.AddParticipantAsync(_meeting, "cy", "group_call_host", name: "Cy");
        var (_, adaPeer) = await _media.JoinChannelAsync(ada);
        await using var browser = await RealtimeKitBrowser.LaunchAsync(_media.HttpsPort, _media.Certificate);
        var module = await ModulePage.StartAsync(browser.Browser, _media.Server.HttpBase, bob.Token, "Bob");
        var page = await browser.Browser.OpenUrlAsync($"{_media.Server.HttpBase}/meet/{_meeting}#token={cy.Token}&name=Cy");
        await page.ClickAsync("#join");
        var caption = page.Locator($"#tile-{adaPeer} .caption");
        await caption.WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 20_000 });

        var adaAudio = RtpSender.Opus(await _media.PublishAsync(ada, adaPeer));
        await SayAsync(adaPeer, adaAudio, () => { });

        // stagecast.js: a transcript event, and the same line in meeting.ai.transcripts, with Ada's ids, name and times.
        var heard = await module.WaitForLogAsync("transcript", _ => true, TimeSpan.FromSeconds(30));
        string text = heard.GetProperty("transcript").GetString()!;
        AssertHeard(text);
        Assert.Equal((adaPeer, ada.Id, "ada-7", AdaName, false), (heard.GetProperty("peerId").GetString(), heard.GetProperty("userId").GetString(),
            heard.GetProperty("customParticipantId").GetString(), heard.GetProperty("name").GetString(), heard.GetProperty("isPartialTranscript").GetBoolean()));
        var (started, ended) = (heard.GetProperty("date").GetDateTimeOffset(), heard.GetProperty("endedAt").GetDateTimeOffset());
        Assert.InRange(started, _began.AddMinutes(-1), ended); // dated back by its samples, sent faster than said
        var kept = Assert.Single((await module.CallAsync("meeting.ai.transcripts")).EnumerateArray());
        Assert.Equal((heard.GetProperty("id").GetString(), text), (kept.GetProperty("id").GetString(), kept.GetProperty("transcript").GetString()));

        // The meeting page: Ada's words with her name on her tile (an aria-live region), on nobody else's, for a few seconds.
        await Assertions.Expect(caption).ToHaveTextAsync($"{AdaName}: {text}");
        Assert.Equal("polite", await caption.GetAttributeAsync("aria-live"));
        Assert.All(await page.Locator($".tile:not(#tile-{adaPeer}) .caption").AllTextContentsAsync(), other => Assert.Equal("", other));
        await MeetingPageTests.AssertAccessibleAsync(page, "the meeting page with a caption");
        await Browser.ScreenshotAsync(page, "meeting-page-caption");
        await Assertions.Expect(caption).ToBeEmptyAsync(new() { Timeout = 20_000 });
    }

    /// <summary>
    /// Sends Opus silence from <paramref name="speaker"/> (and whatever <paramref name="alongside"/> sends) until the
    /// server listens to <paramref name="peerId"/>, then the sentence, a little faster than real time (the engine does
    /// not mind; the pause between packets paces the sender, as a browser's would be, so a socket buffer never
    /// overflows), with a pause after it.
    /// </summary>
    private async Task SayAsync(string peerId, RtpSender speaker, Action alongside)
    {
        var transcripts = _media.Service<LiveTranscripts>();
        Assert.True(transcripts.Running);
        await MeetingMediaServer.WhileSendingAsync(() =>
        {
            speaker.Send();
            alongside();
        }, () => transcripts.ListeningTo(_meeting).Contains(peerId), "the server listening to the speaker");
        foreach (var packet in SpokenAudio.SayAsOpus(Sentence, TimeSpan.FromSeconds(1)))
        {
            speaker.Send(packet);
            await Task.Delay(5);
        }
    }

    private static void AssertHeard(string text) => Assert.True(WordErrorRate.Of(Sentence, text) <= 0.4, $"heard \"{text}\" for \"{Sentence}\"");

    private static long PartNumber(string uri) => long.Parse(uri["part".Length..^".m4s".Length], CultureInfo.InvariantCulture);
}
