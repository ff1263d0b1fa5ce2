using System.Net;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;
using Stagecast.Testing.WebRtc;
using Stagecast.WebRtc.Dtls;

namespace Stagecast.Server.Tests;

/// <summary>
/// The release: deploy/build-release.sh makes a Native AOT binary that runs without .NET, and a valid systemd unit. The
/// rest of the suite runs the JIT build; here the binary itself does what code generated at compile time carries in it
/// (the API's and the realtime channel's JSON, Dapper's queries, options validation) and what differs without a JIT
/// (DTLS through BouncyCastle, SRTP, the epoll transport, libsrt's P/Invoke and callback).
/// </summary>
[Collection(ReleaseCollection.Name)]
[Trait(LongLane.Trait, LongLane.Name)]
public sealed class ReleaseTests
{
    [Fact]
    public async Task TheReleaseBinaryRunsOnItsOwnAndTheSystemdUnitVerifies()
    {
        string root = Browser.RepositoryRoot();
        string output = Directory.CreateTempSubdirectory("stagecast-release-").FullName;
        var (buildExit, built, buildErrors) = await ExternalProcess.RunAsync(Path.Combine(root, "deploy", "build-release.sh"), [output], TimeSpan.FromMinutes(25));
        Assert.True(buildExit == 0, $"build-release.sh failed: {built} {buildErrors}");
        string binary = built.Trim().Split('\n')[^1];
        Assert.Equal("stagecast", Path.GetFileName(binary));
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(binary)!, "stagecast.service")));
        Assert.Single(Directory.GetFiles(output, "stagecast-*-linux-x64.tar.gz"));

        var (versionExit, version, _) = await ExternalProcess.RunAsync(binary, ["--version"], TimeSpan.FromSeconds(60));
        Assert.Equal(0, versionExit);
        Assert.Matches(@"^\d+\.\d+\.\d+", version);

        // No "dotnet" on the command line: the binary carries its runtime and its web pages, SQLite is beside it.
        StagecastApiClient firstApi;
        string dataDir;
        await using (var server = await ServerProcess.StartBinaryAsync(binary))
        {
            // At rest once started: the binary's pages that start-up read are let go (36 MiB of its 50 MB stayed), and
            // libsrt (with libcrypto and libstdc++) is not loaded before an SRT caller comes.
            long size = new FileInfo(binary).Length;
            await Eventually.TrueAsync(() => ProcessMaps.Resident(server.Process.Id, binary) < size / 2,
                "the binary's start-up pages to be let go (less than half of it resident)");
            Assert.False(ProcessMaps.Maps(server.Process.Id, "libsrt"), "libsrt was loaded before any SRT caller");
            var api = await ProcessTests.ApiOfAsync(server);
            firstApi = api;
            dataDir = server.DataDir;
            var livestream = await api.CreateLivestreamAsync("from-the-release");
            using var http = new HttpClient { BaseAddress = new Uri(server.HttpBase) };
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/dashboard")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/watch/{livestream.Id}")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/assets/hls.min.js")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/.well-known/webhooks.json")).StatusCode);
            Assert.True(File.Exists(Path.Combine(server.DataDir, "stagecast.db")));
            Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsync("/livestreams", """{"name":"no spaces allowed"}""")).Status);

            // RTMP in, LL-HLS out, and a WHEP viewer (ICE, DTLS with BouncyCastle, SRTP) of the same stream.
            await using var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(30, "320x180"));
            await Eventually.TrueAsync(async () => (await http.GetAsync(livestream.PlaybackUrl)).IsSuccessStatusCode, "the stream to play");
            Assert.Contains(await Ffmpeg.ProbeAsync(livestream.PlaybackUrl), s => s.Codec == "h264");
            await using (var viewer = await WhepClient.ConnectAsync(http, $"{server.HttpBase}/{livestream.Id}/whep", DtlsCertificate.Create(TimeProvider.System)))
            {
                await Eventually.TrueAsync(() => viewer.VideoPackets > 20 && viewer.AudioPackets > 50, "video and audio packets at the WHEP viewer");
            }

            // SRT in (libsrt through P/Invoke, its handshake callback calling into the binary), LL-HLS out.
            var overSrt = await api.CreateLivestreamAsync("srt-from-the-release");
            await using (var srtPublisher = Ffmpeg.PublishSrt(overSrt.SrtUrl!, Ffmpeg.AudioVideo(30, "320x180")))
            {
                await Eventually.TrueAsync(async () => (await http.GetAsync(overSrt.PlaybackUrl)).IsSuccessStatusCode, "the SRT stream to play");
            }

            Assert.True(ProcessMaps.Maps(server.Process.Id, "libsrt"), "libsrt is not mapped, yet SRT played");

            // The realtime channel's JSON both ways: a participant joins a meeting and is told who it is.
            string meeting = await api.CreateMeetingAsync();
            var (participant, joined) = await MeetingHelpers.JoinAsync(server.HttpBase, await api.AddParticipantAsync(meeting, "from-the-release"));
            await using var _ = participant;
            Assert.Equal("from-the-release", joined.GetProperty("self").GetProperty("custom_participant_id").GetString());
        }

        // Restarted, it answers the API without OpenSSL: a token's digest is BouncyCastle's (a first start maps OpenSSL to
        // draw the token's random bytes; a stream key's AES-GCM maps it when a livestream is made). Quiet for its
        // RestAfter (2 s here) once the calls are answered, it lets go again of the binary's pages they read.
        await using (var again = await ServerProcess.RestartBinaryAsync(binary, dataDir, "--set", "Stagecast:RestAfter=00:00:02"))
        {
            var api = firstApi.WithBase(again.HttpBase);
            (await api.GetAsync("/meetings")).EnsureOk(); // no stream key to decrypt
            (await api.GetAsync("/presets")).EnsureOk();
            long touched = ProcessMaps.Resident(again.Process.Id, binary);
            Assert.False(ProcessMaps.Maps(again.Process.Id, "libcrypto"), "an API call of a restarted server mapped OpenSSL");
            await Eventually.TrueAsync(() => ProcessMaps.Resident(again.Process.Id, binary) < touched / 2,
                $"the pages the calls read ({touched >> 20} MiB of the binary resident) to be let go at rest");
        }

        // whisper.cpp's libraries beside the binary (runtimes/linux-x64), loaded by the binary itself: a live utterance goes
        // through the SFU, the decoder and whisper (a generated model: none can be downloaded here) to a transcript.
        string model = GeneratedWhisperModel.Write(Path.Combine(output, "ggml-generated.bin"));
        await using (var server = await ServerProcess.StartBinaryAsync(binary, null, "--transcription-engine", "whisper", "--whisper-model", model))
        {
            Assert.Contains("Transcription runs on whisper", server.Output);
            var api = await ProcessTests.ApiOfAsync(server);
            (await api.PostAsync("/presets", """{"name":"transcribed","config":{"view_type":"GROUP_CALL"},"permissions":{"can_produce_audio":true,"transcription_enabled":true}}""")).EnsureOk();
            string meeting = await api.CreateMeetingAsync();
            var ada = await api.AddParticipantAsync(meeting, "ada", "transcribed", name: "Ada");
            var (adaChannel, adaJoined) = await MeetingHelpers.JoinAsync(server.HttpBase, ada);
            await using var _ = adaChannel;
            string adaPeer = adaJoined.GetProperty("peer_id").GetString()!;
            using var http = new HttpClient { BaseAddress = new Uri(server.HttpBase) };
            await using var whip = await WhipClient.ConnectAsync(http, $"{server.HttpBase}/realtime/v1/peers/{adaPeer}/whip?source=camera", ada.Token,
                DtlsCertificate.Create(TimeProvider.System));
            var audio = RtpSender.Opus(whip);
            var heard = adaChannel.WaitForEventAsync("transcript", timeout: TimeSpan.FromSeconds(90));
            while (!heard.IsCompleted)
            {
                foreach (var packet in SpokenAudio.SayAsOpus(SpokenAudio.MeetingSentences[1], TimeSpan.FromSeconds(1)))
                {
                    audio.Send(packet);
                    await Task.Delay(5);
                }
            }

            Assert.Matches(@"^w\d+( w\d+)*$", (await heard).GetProperty("text").GetString()); // the generated vocabulary's words
        }

        // The unit as shipped, pointed at this binary; systemd-analyze prints nothing when every line is understood.
        string unit = await File.ReadAllTextAsync(Path.Combine(root, "deploy", "stagecast.service"));
        Assert.Contains("ProtectSystem=strict", unit);
        Assert.Contains("User=stagecast", unit);
        Assert.Contains("--data-dir /var/lib/stagecast", unit);
        string check = Path.Combine(output, "stagecast.service");
        await File.WriteAllTextAsync(check, unit.Replace("/usr/local/bin/stagecast", binary, StringComparison.Ordinal));
        var (verifyExit, verifyOutput, verifyErrors) = await ExternalProcess.RunAsync("systemd-analyze", ["verify", check], TimeSpan.FromSeconds(60));
        Assert.True(verifyExit == 0 && verifyOutput.Trim().Length == 0 && verifyErrors.Trim().Length == 0, $"systemd-analyze verify: {verifyExit} {verifyOutput} {verifyErrors}");
    }
}
