using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Stagecast.Server.Features.Transcription;
using Stagecast.Speech;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Transcription;

/// <summary>
/// Captions of an independent livestream's own audio (docs/ai.md): ffmpeg publishes over RTMP a picture and espeak-ng's
/// sentence said again and again as AAC; a livestream created with <c>transcription_enabled</c> has its audio decoded
/// once and recognised by PocketSphinx, and its LL-HLS multivariant playlist lists a WebVTT subtitles rendition whose
/// segments carry the words, lined up with the video's segments; a livestream without the field has no subtitles and
/// is not listened to. Without a speech engine the field is kept and the log says no captions are made.
/// </summary>
public sealed class LivestreamAudioCaptionTests
{
    private const string Sentence = "the weather is nice today";
    private const string SubtitlesLine = "^#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"English\",LANGUAGE=\"en\",DEFAULT=YES,AUTOSELECT=YES,URI=\"([^\"]+)\"$";

    [Fact]
    public async Task ALivestreamThatAsksCarriesTheWordsOfItsRtmpAudioAsWebVttSubtitles()
    {
        await using var own = (await ServerFixture.StartAsync(["--transcription-engine", "pocketsphinx"])).AsAsyncDisposable(out var server);
        var api = await server.NewTenantAsync();
        string speech = SpeechFile();
        try
        {
            // The field is a bool, kept with the livestream; anything else is refused naming it.
            var refused = await api.PostAsync("/livestreams", """{"transcription_enabled": "yes"}""");
            Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
            Assert.Contains("transcription_enabled", refused.ErrorMessage, StringComparison.Ordinal);
            var asked = (await api.PostAsync("/livestreams", """{"transcription_enabled": true}""")).EnsureOk().Data;
            var plain = (await api.PostAsync("/livestreams", "{}")).EnsureOk().Data;
            Assert.False(plain.GetProperty("transcription_enabled").GetBoolean());
            string id = asked.GetProperty("id").GetString()!, plainId = plain.GetProperty("id").GetString()!;
            Assert.True((await api.GetLivestreamAsync(id)).GetProperty("livestream").GetProperty("transcription_enabled").GetBoolean());

            // Both publish the same speech over RTMP.
            await using var captioned = Ffmpeg.Publish($"{asked.GetProperty("ingest_server").GetString()}/{asked.GetProperty("stream_key").GetString()}", SpeakingInput(speech));
            await using var uncaptioned = Ffmpeg.Publish($"{plain.GetProperty("ingest_server").GetString()}/{plain.GetProperty("stream_key").GetString()}", SpeakingInput(speech));
            string playback = asked.GetProperty("playback_url").GetString()!, plainPlayback = plain.GetProperty("playback_url").GetString()!;
            await server.WaitUntilPlayableAsync(playback);
            await server.WaitUntilPlayableAsync(plainPlayback);

            // The livestream without the field lists no subtitles, and nothing decodes its audio.
            string plainMultivariant = await server.Http.GetStringAsync(plainPlayback);
            Assert.DoesNotContain("TYPE=SUBTITLES", plainMultivariant, StringComparison.Ordinal);
            Assert.DoesNotContain("SUBTITLES=", plainMultivariant, StringComparison.Ordinal);
            var listeners = server.App.Services.GetRequiredService<LivestreamAudioCaptions>();
            Assert.Equal([id], listeners.ListeningTo);

            // The one that asks lists the subtitles rendition, and every variant names its group.
            string multivariant = await server.Http.GetStringAsync(playback);
            var subtitles = Regex.Match(multivariant, SubtitlesLine, RegexOptions.Multiline);
            Assert.True(subtitles.Success, multivariant);
            Assert.All(multivariant.Split('\n').Where(l => l.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal)), l => Assert.EndsWith(",SUBTITLES=\"subs\"", l));
            var subtitlesUrl = new Uri(new Uri(playback), subtitles.Groups[1].Value);

            // The words come in a WebVTT segment beside a part of the video, under the part's number.
            var (segment, cue) = await Eventually.MatchAsync(async Task<(string? File, string? Text)> () =>
            {
                string playlist = await server.Http.GetStringAsync(subtitlesUrl);
                foreach (string file in playlist.Split('\n').Where(l => l.EndsWith(".vtt", StringComparison.Ordinal)))
                {
                    string vtt = await server.Http.GetStringAsync(new Uri(subtitlesUrl, file));
                    if (Regex.Match(vtt, "\n\\d\\d:\\d\\d:\\d\\d\\.\\d{3} --> \\d\\d:\\d\\d:\\d\\d\\.\\d{3}\n(.+)\n") is { Success: true } found
                        && WordErrorRate.Of(Sentence, found.Groups[1].Value) <= 0.4)
                    {
                        Assert.Matches("^WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:\\d+,LOCAL:00:00:00.000\n", vtt);
                        return (file, found.Groups[1].Value);
                    }
                }

                return (null, null);
            }, found => found.File is not null, "a WebVTT segment with the sentence's words", TimeSpan.FromSeconds(60));
            long part = long.Parse(segment!["subs".Length..^".vtt".Length], CultureInfo.InvariantCulture);
            var media = ParsedPlaylist.Parse(await server.Http.GetStringAsync(new Uri(subtitlesUrl, "stream.m3u8")));
            Assert.InRange(part, 0, long.Parse(media.Parts.Last().Uri["part".Length..^".m4s".Length], CultureInfo.InvariantCulture)); // beside a part the video has had
            var listed = ParsedPlaylist.Parse(await server.Http.GetStringAsync(subtitlesUrl));
            Assert.Equal(1, listed.TargetDuration); // files a part long, not a segment: a low-latency player gets them in time
            Assert.All(listed.Segments, s => Assert.InRange(s.Duration!.Value, 0.1, 1));
            Assert.DoesNotContain("<v ", cue, StringComparison.Ordinal);

            // It was decoded once, by one ffmpeg that ends with the stream.
            int decoder = Assert.NotNull(listeners.DecoderOf(id));
            await captioned.DisposeAsync();
            await Eventually.TrueAsync(() => listeners.ListeningTo.Count == 0, "the listener to stop with the stream", TimeSpan.FromSeconds(60));
            Assert.Null(listeners.DecoderOf(id));
            await Eventually.TrueAsync(() => !ProcessRuns(decoder), "the decoder to end");
        }
        finally
        {
            File.Delete(speech);
        }
    }

    [Trait(LongLane.Trait, LongLane.Name)]
    [Fact]
    public async Task TheWatchPageShowsTheCaptionsWhilePlayingAtLowLatency()
    {
        // The watch page's hls.js plays half a second behind the live edge. Captions listed only with whole segments came
        // when the playhead had passed them or nearly (in one run of four none was shown in 90 s); each part's captions
        // come now a part after they were said, in a WebVTT segment beside the part.
        await using var own = (await ServerFixture.StartAsync(["--transcription-engine", "pocketsphinx"])).AsAsyncDisposable(out var server);
        var api = await server.NewTenantAsync();
        var livestream = (await api.PostAsync("/livestreams", """{"transcription_enabled": true}""")).EnsureOk().Data;
        string id = livestream.GetProperty("id").GetString()!;
        string speech = SpeechFile();
        try
        {
            // The viewer comes once the stream plays (a page opened before it goes live is WatchPageTests').
            await using var publisher = Ffmpeg.Publish($"{livestream.GetProperty("ingest_server").GetString()}/{livestream.GetProperty("stream_key").GetString()}", SpeakingInput(speech));
            await server.WaitUntilPlayableAsync(livestream.GetProperty("playback_url").GetString()!);
            await using var browser = await Browser.LaunchAsync();
            var requested = new System.Collections.Concurrent.ConcurrentQueue<string>();
            var page = await browser.OpenUrlAsync($"{server.HttpBase}/watch/{id}");
            page.Request += (_, request) => requested.Enqueue(request.Url);
            await Web.WatchPageTests.WaitForStateAsync(page, "live");

            // Every cue the player ever holds, and whether it showed over the picture: the player drops cues with its back
            // buffer (ten seconds behind), so they are noted as they come. A cue is in every part it spans, and the player
            // keeps it once.
            await page.EvaluateAsync("""
                () => {
                  const video = document.getElementById('video');
                  window.watchedFrom = video.currentTime;
                  window.seen = new Map();
                  window.twice = 0;
                  setInterval(() => {
                    const all = Array.from(video.textTracks).flatMap(t => Array.from(t.cues ?? []));
                    for (const cue of all) {
                      const key = `${cue.startTime.toFixed(3)} ${cue.text}`;
                      const seen = window.seen.get(key) ?? { text: cue.text, start: cue.startTime, end: cue.endTime, shown: false };
                      seen.shown ||= Array.from(video.textTracks).some(t => Array.from(t.activeCues ?? []).includes(cue));
                      window.seen.set(key, seen);
                    }
                    const twice = all.filter((a, i) => all.some((b, j) => j > i && a.text === b.text && Math.abs(a.startTime - b.startTime) < 0.05));
                    window.twice = Math.max(window.twice, twice.length);
                  }, 50);
                }
                """);

            // Three sentences come and go, played through (a player that fell behind on a busy machine seeks to the live
            // edge and skips what lay between: video.played tells); each was shown while it played, none arrived after
            // the picture had passed it.
            const string Passed = """
                () => {
                  const video = document.getElementById('video');
                  const ranges = [];
                  for (let i = 0; i < video.played.length; i++) { // a nudge over a small gap is no skip
                    const last = ranges[ranges.length - 1];
                    if (last && video.played.start(i) - last[1] < 0.5) last[1] = video.played.end(i);
                    else ranges.push([video.played.start(i), video.played.end(i)]);
                  }
                  const played = Array.from(window.seen.values())
                    .filter(c => c.start > window.watchedFrom && ranges.some(([from, to]) => from <= c.start && c.end <= to));
                  return { played: played.map(c => ({ text: c.text, shown: c.shown })), twice: window.twice, cues: window.seen.size,
                    from: window.watchedFrom, now: video.currentTime, ranges, tracks: Array.from(video.textTracks).map(t => t.mode),
                    paused: video.paused, ready: video.readyState, live: window.stagecast.live, errors: window.stagecast.errors }; // say why, if none
                }
                """;
            var transcripts = server.App.Services.GetRequiredService<LiveTranscripts>();
            var passed = await Eventually.MatchAsync(() => page.EvaluateAsync<JsonElement>(Passed), cues => cues.GetProperty("played").GetArrayLength() >= 3,
                "three captions to have played", TimeSpan.FromSeconds(90),
                cues => $"{cues}; the server recognised {transcripts.Recognised} utterances and dropped {transcripts.Dropped}");
            Assert.All(passed.GetProperty("played").EnumerateArray(), cue => Assert.True(cue.GetProperty("shown").GetBoolean(), $"not shown while it played: {cue}"));
            Assert.Contains(passed.GetProperty("played").EnumerateArray(), cue => WordErrorRate.Of(Sentence, cue.GetProperty("text").GetString()!) <= 0.4);
            Assert.Equal(0, passed.GetProperty("twice").GetInt32());
            Assert.Contains(requested, url => Regex.IsMatch(url, "/subs\\d+\\.vtt$")); // the captions came as WebVTT beside the parts
        }
        finally
        {
            File.Delete(speech);
        }
    }

    [Trait(LongLane.Trait, LongLane.Name)]
    [Fact]
    public async Task ARecordedLivestreamKeepsItsCaptionsInAWebVttFileBesideItsMp4()
    {
        // Captions are a track of the hub stream: the recorder writes them too, on the recording's timeline.
        await using var own = (await ServerFixture.StartAsync(["--transcription-engine", "pocketsphinx"])).AsAsyncDisposable(out var server);
        var api = await server.NewTenantAsync();
        var livestream = (await api.PostAsync("/livestreams", """{"transcription_enabled": true, "recording": {"mode": "automatic"}}""")).EnsureOk().Data;
        string id = livestream.GetProperty("id").GetString()!;
        string speech = SpeechFile();
        try
        {
            // The speech goes on until the live captions have a line (PocketSphinx lags on a busy machine: a fixed 15 s
            // stream once ended before it heard anything), then the publisher stops: the session and its recording end.
            await using (var publisher = Ffmpeg.Publish($"{livestream.GetProperty("ingest_server").GetString()}/{livestream.GetProperty("stream_key").GetString()}",
                SpeakingInput(speech)))
            {
                string playback = livestream.GetProperty("playback_url").GetString()!;
                await server.WaitUntilPlayableAsync(playback);
                var subtitlesUrl = new Uri(new Uri(playback), Regex.Match(await server.Http.GetStringAsync(playback), SubtitlesLine, RegexOptions.Multiline).Groups[1].Value);
                await Eventually.TrueAsync(async () =>
                {
                    foreach (string file in (await server.Http.GetStringAsync(subtitlesUrl)).Split('\n').Where(l => l.EndsWith(".vtt", StringComparison.Ordinal)))
                    {
                        if ((await server.Http.GetStringAsync(new Uri(subtitlesUrl, file))).Contains(" --> ", StringComparison.Ordinal))
                        {
                            return true;
                        }
                    }

                    return false;
                }, "a captioned line live", TimeSpan.FromSeconds(90));
            }

            var recording = (await api.WaitForAsync("/recordings", r => r.Data.GetArrayLength() == 1 && r.Data[0].GetProperty("status").GetString() == "UPLOADED",
                TimeSpan.FromSeconds(60))).Data[0];
            Assert.Equal(id, recording.GetProperty("livestream_id").GetString());
            string captionsUrl = recording.GetProperty("captions_download_url").GetString() ?? throw new Xunit.Sdk.XunitException($"no captions: {recording}");
            using var response = await server.Http.GetAsync(captionsUrl);
            response.EnsureSuccessStatusCode();
            Assert.Equal("text/vtt", response.Content.Headers.ContentType?.MediaType);
            string vtt = await response.Content.ReadAsStringAsync();
            Assert.StartsWith("WEBVTT\n", vtt, StringComparison.Ordinal);

            // Its cues say the sentence, in order, each within the recording (on a busy machine PocketSphinx may hear one
            // sentence of four before the stream ends).
            double duration = recording.GetProperty("recording_duration").GetDouble();
            var cues = Regex.Matches(vtt, @"^(\d\d):(\d\d):(\d\d\.\d{3}) --> (\d\d):(\d\d):(\d\d\.\d{3})\n(.+)$", RegexOptions.Multiline)
                .Select(m => (Start: Seconds(m, 1), End: Seconds(m, 4), Text: m.Groups[7].Value)).ToList();
            Assert.True(cues.Count >= 1, vtt);
            Assert.All(cues, c => Assert.InRange(c.Start, 0, Math.Min(c.End, duration)));
            Assert.Equal(cues.Select(c => c.Start).Order(), cues.Select(c => c.Start));
            Assert.Contains(cues, c => WordErrorRate.Of(Sentence, c.Text) <= 0.4);
            var streams = await Ffmpeg.ProbeAsync(captionsUrl); // ffmpeg reads it as WebVTT
            Assert.Contains(streams, s => s.Codec == "webvtt");
        }
        finally
        {
            File.Delete(speech);
        }

        static double Seconds(Match m, int group) => int.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture) * 3600
            + int.Parse(m.Groups[group + 1].Value, CultureInfo.InvariantCulture) * 60 + double.Parse(m.Groups[group + 2].Value, CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task WithoutASpeechEngineTheFieldIsKeptAndTheLogSaysNoCaptionsAreMade()
    {
        var logs = new CapturedLogs();
        await using var own = (await ServerFixture.StartAsync([], builder => builder.Logging.AddProvider(logs))).AsAsyncDisposable(out var server);
        var api = await server.NewTenantAsync();
        var created = (await api.PostAsync("/livestreams", "{}")).EnsureOk().Data;
        string id = created.GetProperty("id").GetString()!;
        Assert.True((await api.SendAsync(HttpMethod.Patch, $"/livestreams/{id}", """{"transcription_enabled": true}""")).EnsureOk().Data.GetProperty("transcription_enabled").GetBoolean());

        await using var publisher = Ffmpeg.Publish($"{created.GetProperty("ingest_server").GetString()}/{created.GetProperty("stream_key").GetString()}", Ffmpeg.AudioVideo(30, "320x180"));
        string playback = created.GetProperty("playback_url").GetString()!;
        await server.WaitUntilPlayableAsync(playback);
        Assert.DoesNotContain("SUBTITLES", await server.Http.GetStringAsync(playback), StringComparison.Ordinal);
        await Eventually.TrueAsync(() => logs.Lines.Any(l => l.Level == LogLevel.Warning && l.Message.Contains($"Livestream {id} asks for captions", StringComparison.Ordinal)
            && l.Message.Contains("runs no speech engine", StringComparison.Ordinal)), "the log to say the livestream goes out without captions");
        Assert.Empty(server.App.Services.GetRequiredService<LivestreamAudioCaptions>().ListeningTo);
    }

    [Fact]
    public async Task CaptionedLivestreamsAreHeldToTheServersAndTheirAppsQuotas()
    {
        await using var own = (await ServerFixture.StartAsync(["--transcription-engine", "pocketsphinx",
            "--set", "Stagecast:Transcription:MaxCaptionedLivestreams=2", "--set", "Stagecast:Transcription:MaxCaptionedLivestreamsPerApp=1"]))
            .AsAsyncDisposable(out var server);
        var first = await server.NewTenantAsync();
        var second = await server.NewTenantAsync();
        var listeners = server.App.Services.GetRequiredService<LivestreamAudioCaptions>();
        async Task<(string Id, ExternalProcess Publisher)> PublishAsync(StagecastApiClient api)
        {
            var asked = (await api.PostAsync("/livestreams", """{"transcription_enabled": true}""")).EnsureOk().Data;
            var publisher = Ffmpeg.Publish($"{asked.GetProperty("ingest_server").GetString()}/{asked.GetProperty("stream_key").GetString()}", Ffmpeg.AudioVideo(120, "320x180"));
            await server.WaitUntilPlayableAsync(asked.GetProperty("playback_url").GetString()!);
            return (asked.GetProperty("id").GetString()!, publisher);
        }

        // The first app's first livestream is captioned; its second goes out without (one an app), counted and logged.
        var (a1, p1) = await PublishAsync(first);
        await using var _p1 = p1;
        await Eventually.TrueAsync(() => listeners.ListeningTo.Contains(a1), "the first livestream to be captioned");
        var (a2, p2) = await PublishAsync(first);
        await using var _p2 = p2;
        await Eventually.TrueAsync(() => listeners.Refused == 1, "the app's second captioned livestream to be refused");
        Assert.DoesNotContain(a2, listeners.ListeningTo);
        Assert.Null(listeners.DecoderOf(a2));

        // Another app's is captioned: the server's two are taken.
        var (b1, p3) = await PublishAsync(second);
        await using var _p3 = p3;
        await Eventually.TrueAsync(() => listeners.ListeningTo.Contains(b1), "the other app's livestream to be captioned");
        Assert.Equal(new[] { a1, b1 }.Order(), listeners.ListeningTo.Order());
        string metrics = await server.MetricsAsync();
        Assert.Contains("stagecast_captioned_livestreams 2", metrics);
        Assert.Contains("stagecast_captioned_livestreams_refused_total 1", metrics);
    }

    /// <summary>The sentence, then 1.5 s of silence, twelve times: about 40 s of 16 kHz mono speech, as raw samples in a file.</summary>
    private static string SpeechFile()
    {
        short[] said = [.. SpokenAudio.Say(Sentence), .. SpokenAudio.Silence(TimeSpan.FromSeconds(1.5))];
        string path = Path.Combine(Path.GetTempPath(), $"stagecast-speech-{Guid.NewGuid():N}.s16");
        using var file = File.Create(path);
        for (int i = 0; i < 12; i++)
        {
            file.Write(MemoryMarshal.AsBytes(said.AsSpan()));
        }

        return path;
    }

    /// <summary>
    /// A small picture and the speech (said again from its start) as AAC at 44.1 kHz for two minutes: what OBS sends, with
    /// a voice in it. Forty seconds were too few on a busy machine: the stream ended while the browser was starting.
    /// </summary>
    private static string[] SpeakingInput(string speech) =>
    [
        "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30:duration=120",
        "-stream_loop", "-1", "-f", "s16le", "-ar", "16000", "-ac", "1", "-i", speech,
        "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "30", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-b:a", "64k", "-ar", "44100", "-shortest",
    ];

    private static bool ProcessRuns(int id)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(id);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
