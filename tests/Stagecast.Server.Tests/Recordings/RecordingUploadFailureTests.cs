using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.Server.Features.Programs;
using Stagecast.Server.Features.Recordings;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Recordings;

/// <summary>
/// A hostile tester's S3 endpoints: one that redirects (once an uncaught exception: the stop answered 500, the
/// recording stayed UPLOADING and the meeting's program ran until the server stopped), one that accepts and stalls
/// (the upload had no time limit), and a private one the operator does not allow, which the upload dialled anyway.
/// </summary>
public sealed class RecordingUploadFailureTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task AStorageThatRedirectsEndsTheRecordingErroredAndNothingOutlivesIt()
    {
        using var elsewhere = new TcpListener(IPAddress.Loopback, 0);
        elsewhere.Start();
        await using var storage = await HostileStorage.RedirectingAsync($"http://127.0.0.1:{((IPEndPoint)elsewhere.LocalEndpoint).Port}/recordings/stolen.mp4");
        var api = await server.NewTenantAsync();
        await using var recording = await RecordAndStopAsync(server, api, storage.Url);

        var errored = await WaitForErroredAsync(api, recording.Id);
        Assert.Contains("S3 PUT answered 307: redirects are not followed", errored.GetProperty("err_message").GetString());
        Assert.False(elsewhere.Pending(), "the redirect was not followed");
        Assert.True(File.Exists(LocalCopy(server, recording.Id)), "a failed upload keeps its local copy");
        await ProgramStopsAsync(server, recording.MeetingId);
    }

    [Fact]
    public async Task AStorageThatStallsIsGivenUpAfterTheUploadTimeout()
    {
        await using var own = (await ServerFixture.StartAsync(["--set", "Stagecast:Recordings:UploadTimeout=00:00:03"])).AsAsyncDisposable(out var quick);
        await using var storage = await HostileStorage.StallingAsync();
        var api = await quick.NewTenantAsync();
        await using var recording = await RecordAndStopAsync(quick, api, storage.Url);

        var errored = await WaitForErroredAsync(api, recording.Id);
        Assert.Contains("took longer than 00:00:03", errored.GetProperty("err_message").GetString());
        await Eventually.TrueAsync(() => storage.Abandoned == 1, "the stalled upload's connection to be closed");
        Assert.True(File.Exists(LocalCopy(quick, recording.Id)), "a failed upload keeps its local copy");
        await ProgramStopsAsync(quick, recording.MeetingId);
    }

    [Fact]
    public async Task AnUploadCutByAShutdownIsRetriedAtStartAndAPrivateStorageIsRefusedWhenDialled()
    {
        string dataDir = Directory.CreateTempSubdirectory("stagecast-upload-restart-").FullName;
        try
        {
            await using var storage = await HostileStorage.StallingAsync();
            StagecastApiClient api;
            string id;
            await using (var first = (await ServerFixture.StartAsync(["--data-dir", dataDir])).AsAsyncDisposable(out var permissive))
            {
                api = await permissive.NewTenantAsync();
                await using var recording = await RecordAndStopAsync(permissive, api, storage.Url);
                id = recording.Id;
                await Eventually.TrueAsync(() => storage.Requests == 1, "the upload to be under way");
            }

            // The operator no longer allows private addresses: the upload left UPLOADING is tried again at start, and
            // refused when dialled, with the reason on the recording.
            await using var second = (await ServerFixture.StartAsync(["--data-dir", dataDir, "--set", "Stagecast:Restream:AllowPrivate=false"]))
                .AsAsyncDisposable(out var strict);
            api = api.WithBase(strict.HttpBase);
            string reason = (await WaitForErroredAsync(api, id)).GetProperty("err_message").GetString()!;
            Assert.Contains("127.0.0.1 resolves only to addresses the server may not connect to", reason);
            Assert.Contains("--restream-allow-private", reason);
            Assert.Equal(1, storage.Requests);
            Assert.True(File.Exists(LocalCopy(strict, id)), "a failed upload keeps its local copy");

            // A new recording to it is refused up front.
            string meeting = await api.CreateMeetingAsync();
            var (h, _) = await MeetingHelpers.JoinAsync(strict.HttpBase, await api.AddParticipantAsync(meeting, "host"));
            await using var _h = h;
            var refused = await api.PostAsync("/recordings", JsonSerializer.Serialize(new { meeting_id = meeting, storage_config = Storage(storage.Url) }));
            Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
            Assert.Contains("private, loopback or link-local", refused.ErrorMessage);
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    private static object Storage(string host) =>
        new { type = "aws", access_key = "AKIDEXAMPLE", secret = "secret", bucket = "recordings", region = "us-east-1", host };

    /// <summary>Records a meeting's program for a second, to that storage, and stops: the stop answers UPLOADING (not a 500).</summary>
    private static async Task<StoppedRecording> RecordAndStopAsync(ServerFixture server, StagecastApiClient api, string storageUrl)
    {
        string meeting = await api.CreateMeetingAsync();
        var (host, _) = await MeetingHelpers.JoinAsync(server.HttpBase, await api.AddParticipantAsync(meeting, "host"));
        string id = (await api.PostAsync("/recordings", JsonSerializer.Serialize(new
        {
            meeting_id = meeting, storage_config = Storage(storageUrl), video_config = new { width = 320, height = 180 },
        }))).EnsureOk().Data.GetProperty("id").GetString()!;
        await api.WaitForAsync($"/recordings/{id}", r => r.Data.GetProperty("recording_duration").GetDouble() >= 1);
        var stopped = await api.SendAsync(HttpMethod.Put, $"/recordings/{id}", """{"action":"stop"}""");
        Assert.True(stopped.Status == HttpStatusCode.OK, stopped.Body.ToString());
        Assert.Equal("UPLOADING", stopped.Data.GetProperty("status").GetString());
        return new StoppedRecording(id, meeting, host);
    }

    private static async Task<JsonElement> WaitForErroredAsync(StagecastApiClient api, string id) =>
        (await api.WaitForAsync($"/recordings/{id}", r => r.Status == HttpStatusCode.OK && r.Data.GetProperty("status").GetString() == "ERRORED")).Data;

    private static string LocalCopy(ServerFixture server, string id) =>
        Path.Combine(server.App.Services.GetRequiredService<RecordingService>().Directory, id + ".mp4");

    /// <summary>The participant is still there; the program stops anyway once nothing needs it (after its linger).</summary>
    private static Task ProgramStopsAsync(ServerFixture server, string meetingId) =>
        Eventually.TrueAsync(() => server.App.Services.GetRequiredService<MeetingPrograms>().Find(meetingId) is null, "the meeting's program to stop");

    private sealed record StoppedRecording(string Id, string MeetingId, RealtimeTestClient Host) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Host.DisposeAsync();
    }
}
