using System.Net;
using System.Net.Http.Headers;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Recordings;

/// <summary>
/// The server as the README runs it: from a folder, with the data directory relative to it (<c>--data-dir ./data</c>).
/// A relative data directory once made every recording's download answer 500: ASP.NET looked for the file under the
/// web root.
/// </summary>
public sealed class RecordingDataDirectoryTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("stagecast-cwd-").FullName;

    [Fact]
    public async Task ARecordingInARelativeDataDirectoryDownloadsWithRanges()
    {
        var environment = new Dictionary<string, string>
        {
            ["STAGECAST_ACCOUNT_ID"] = "relative-account",
            ["STAGECAST_APP_ID"] = "relative-app",
            ["STAGECAST_API_TOKEN"] = "sct_relative_test_token_0123456789abcdefghij",
        };
        await using var server = await ServerProcess.StartInAsync(_work, "./data", environment);
        var api = new StagecastApiClient(new HttpClient { BaseAddress = new Uri(server.HttpBase) }, environment["STAGECAST_ACCOUNT_ID"],
            environment["STAGECAST_APP_ID"], environment["STAGECAST_API_TOKEN"]);
        var created = (await api.PostAsync("/livestreams", """{"recording":{"mode":"automatic"}}""")).EnsureOk().Data;
        await using (var publisher = Ffmpeg.Publish($"{created.GetProperty("ingest_server").GetString()}/{created.GetProperty("stream_key").GetString()}",
            Ffmpeg.AudioVideo(4, "320x180")))
        {
            Assert.Equal(0, await publisher.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }

        var recording = (await api.WaitForAsync("/recordings", r => r.Data.GetArrayLength() == 1 && r.Data[0].GetProperty("status").GetString() == "UPLOADED")).Data[0];
        string file = Path.Combine(_work, "data", "recordings", recording.GetProperty("id").GetString() + ".mp4");
        Assert.True(File.Exists(file), $"the recording is in the data directory under the working directory: {file}");

        using var http = new HttpClient();
        var request = new HttpRequestMessage(HttpMethod.Get, recording.GetProperty("download_url").GetString());
        request.Headers.Range = new RangeHeaderValue(100, 1123);
        using var partial = await http.SendAsync(request);
        Assert.True(partial.StatusCode == HttpStatusCode.PartialContent, $"{(int)partial.StatusCode}: {await partial.Content.ReadAsStringAsync()}");
        Assert.Equal(File.ReadAllBytes(file).AsSpan(100, 1024).ToArray(), await partial.Content.ReadAsByteArrayAsync());
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);
}
