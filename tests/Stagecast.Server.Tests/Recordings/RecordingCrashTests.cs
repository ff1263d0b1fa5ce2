using System.Globalization;
using System.Text.Json;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Recordings;

/// <summary>A server killed mid-recording: what is on disk plays, and the recording is finished at the next start.</summary>
public sealed class RecordingCrashTests
{
    [Fact]
    public async Task AKilledServersRecordingIsFinishedFromItsFragmentsAtTheNextStart()
    {
        var environment = new Dictionary<string, string>
        {
            ["STAGECAST_ACCOUNT_ID"] = "crash-account",
            ["STAGECAST_APP_ID"] = "crash-app",
            ["STAGECAST_API_TOKEN"] = "sct_crash_test_token_0123456789abcdefghij",
        };
        string dataDir;
        string recordingId;
        double recordedBeforeKill;
        await using (var server = await ServerProcess.StartAsync(environment: environment))
        {
            dataDir = server.DataDir;
            var api = ApiOf(server, environment);
            var created = (await api.PostAsync("/livestreams", """{"recording":{"mode":"automatic"}}""")).EnsureOk().Data;
            string publishUrl = $"{created.GetProperty("ingest_server").GetString()}/{created.GetProperty("stream_key").GetString()}";
            await using var publisher = Ffmpeg.Publish(publishUrl, Ffmpeg.AudioVideo(60, "320x180"));
            var recording = (await api.WaitForAsync("/recordings", r => r.Data.GetArrayLength() == 1
                && r.Data[0].GetProperty("status").GetString() == "RECORDING" && r.Data[0].GetProperty("recording_duration").GetDouble() >= 6)).Data[0];
            recordingId = recording.GetProperty("id").GetString()!;
            recordedBeforeKill = recording.GetProperty("recording_duration").GetDouble();
            await server.Process.DisposeAsync(); // SIGKILL to the process tree: no shutdown, its ffmpeg children die with it
        }

        await using var again = await ServerProcess.StartAsync(dataDir, environment);
        var restarted = ApiOf(again, environment);
        var finished = (await restarted.GetAsync($"/recordings/{recordingId}")).EnsureOk().Data;
        Assert.Equal(("UPLOADED", "SERVER_STOPPED"), (finished.GetProperty("status").GetString(), finished.GetProperty("stop_reason").GetString()));
        string url = finished.GetProperty("download_url").GetString()!;
        var (exitCode, output, error) = await ExternalProcess.RunAsync("ffprobe",
            ["-v", "error", "-show_entries", "format=duration", "-of", "default=noprint_wrappers=1:nokey=1", url], TimeSpan.FromSeconds(30));
        Assert.True(exitCode == 0, error);
        double duration = double.Parse(output.Trim(), CultureInfo.InvariantCulture);
        Assert.True(duration >= recordedBeforeKill - 3, $"{duration:F1} s kept of {recordedBeforeKill:F1} s recorded before the kill (fragments are flushed every 2 s)");
        var decoded = await Ffmpeg.DecodeAsync(url, 30);
        Assert.True(decoded.ExitCode == 0, decoded.Error);
    }

    private static StagecastApiClient ApiOf(ServerProcess server, Dictionary<string, string> environment) =>
        new(new HttpClient { BaseAddress = new Uri(server.HttpBase) }, environment["STAGECAST_ACCOUNT_ID"], environment["STAGECAST_APP_ID"], environment["STAGECAST_API_TOKEN"]);
}
