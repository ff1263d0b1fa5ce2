using Stagecast.Testing;

namespace Stagecast.Server.Tests.Recordings;

/// <summary>
/// A livestream's recording is written by the server itself: nothing in it is decoded or encoded, so a server whose
/// <c>--ffmpeg</c> is missing records and finishes it all the same (it once ended ERRORED: the writer was an ffmpeg).
/// </summary>
public sealed class RecordingWithoutFfmpegTests
{
    [Fact]
    public async Task ALivestreamIsRecordedAndFinishedWithoutAnyFfmpeg()
    {
        await using var own = (await ServerFixture.StartAsync(["--ffmpeg", "/nonexistent/ffmpeg"])).AsAsyncDisposable(out var server);
        var api = await server.NewTenantAsync();
        var created = (await api.PostAsync("/livestreams", """{"recording":{"mode":"automatic"}}""")).EnsureOk().Data;
        await using (var publisher = Ffmpeg.Publish($"{created.GetProperty("ingest_server").GetString()}/{created.GetProperty("stream_key").GetString()}",
            Ffmpeg.AudioVideo(4, "320x180")))
        {
            Assert.Equal(0, await publisher.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }

        var recording = (await api.WaitForAsync("/recordings", r => r.Data.GetArrayLength() == 1 && r.Data[0].GetProperty("status").GetString() is "UPLOADED" or "ERRORED")).Data[0];
        Assert.True(recording.GetProperty("status").GetString() == "UPLOADED", recording.ToString());
        string url = recording.GetProperty("download_url").GetString()!;
        var streams = await Ffmpeg.ProbeAsync(url);
        Assert.Contains(streams, s => s is { Codec: "h264", Width: 320, Height: 180 });
        Assert.Contains(streams, s => s is { Codec: "aac" });
        var decoded = await Ffmpeg.DecodeAsync(url, 30);
        Assert.True(decoded.ExitCode == 0 && decoded.Error.Trim().Length == 0, decoded.Error);
    }
}
