using Stagecast.Testing;

namespace Stagecast.Server.Tests.Recordings;

/// <summary>A recording whose file cannot be written (the disk is full) ends ERRORED; the stream it records carries on.</summary>
public sealed class RecordingWriteErrorTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("stagecast-full-").FullName;

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task AFullDiskEndsTheRecordingWithAReasonAndTheLivestreamStaysLive()
    {
        // The server, which writes recordings itself, run with a 2 MiB file size limit (4096 blocks of 512 bytes) and
        // SIGXFSZ ignored: writing the recording past it fails (EFBIG) as a full disk would; its database stays smaller.
        // (The runtime's W^X double mapping sizes a memory file past such a limit: off for this process.)
        string limited = Path.Combine(_work, "server-with-a-full-disk");
        await File.WriteAllTextAsync(limited,
            $"#!/bin/sh\ntrap '' XFSZ\nulimit -f 4096\nexport DOTNET_EnableWriteXorExecute=0\nexec dotnet '{ServerProcess.ServerDll}' \"$@\"\n");
        File.SetUnixFileMode(limited, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var environment = new Dictionary<string, string>
        {
            ["STAGECAST_ACCOUNT_ID"] = "full-account",
            ["STAGECAST_APP_ID"] = "full-app",
            ["STAGECAST_API_TOKEN"] = "sct_full_disk_test_token_0123456789abcdef",
        };
        await using var server = await ServerProcess.StartBinaryAsync(limited, environment);
        var api = new StagecastApiClient(new HttpClient { BaseAddress = new Uri(server.HttpBase) }, "full-account", "full-app", environment["STAGECAST_API_TOKEN"]);
        var created = (await api.PostAsync("/livestreams", """{"recording":{"mode":"automatic"}}""")).EnsureOk().Data;
        string id = created.GetProperty("id").GetString()!;
        await using var publisher = Ffmpeg.Publish($"{created.GetProperty("ingest_server").GetString()}/{created.GetProperty("stream_key").GetString()}",
            Ffmpeg.AudioVideo(60, "640x360"));

        var errored = (await api.WaitForAsync("/recordings", r => r.Data.GetArrayLength() == 1 && r.Data[0].GetProperty("status").GetString() == "ERRORED",
            TimeSpan.FromSeconds(40))).Data[0];
        Assert.Equal("ERROR", errored.GetProperty("stop_reason").GetString());
        Assert.Contains("disk", errored.GetProperty("err_message").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, errored.GetProperty("download_url").ValueKind);

        // The livestream was not touched: still live, still playable.
        Assert.Equal("LIVE", (await api.GetLivestreamAsync(id)).GetProperty("livestream").GetProperty("status").GetString());
        string playback = created.GetProperty("playback_url").GetString()!;
        var decoded = await Ffmpeg.DecodeAsync(playback, 3);
        Assert.True(decoded.ExitCode == 0, decoded.Error);
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);
}
