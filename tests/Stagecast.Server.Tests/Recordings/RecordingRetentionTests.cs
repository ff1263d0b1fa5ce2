using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Stagecast.Server.Features.Recordings;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Recordings;

/// <summary>Retention of stored recordings: by age and by total size, oldest first.</summary>
public sealed class RecordingRetentionTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TooOldGoesAndThenTheOldestUntilTheTotalFits()
    {
        (string, DateTimeOffset, long)[] stored = [("a", Now.AddDays(-40), 100), ("b", Now.AddDays(-20), 100), ("c", Now.AddDays(-10), 100), ("d", Now.AddDays(-1), 100)];
        Assert.Equal(["a"], RecordingRetentionService.Select(stored, Now, new RecordingsOptions { Retention = TimeSpan.FromDays(30) }));
        Assert.Equal(["a", "b"], RecordingRetentionService.Select(stored, Now, new RecordingsOptions { MaxTotalBytes = 250 }));
        Assert.Equal(["a", "b", "c"], RecordingRetentionService.Select(stored, Now, new RecordingsOptions { Retention = TimeSpan.FromDays(15), MaxTotalBytes = 150 }));
        Assert.Empty(RecordingRetentionService.Select(stored, Now, new RecordingsOptions()));
    }

    [Fact]
    public async Task ASweepDeletesTheOldestStoredRecordingAndItsFile()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var (h, _) = await MeetingHelpers.JoinAsync(server.HttpBase, await api.AddParticipantAsync(meeting, "host"));
        await using var _h = h;
        var ids = new List<string>();
        for (int i = 0; i < 2; i++)
        {
            string id = (await api.PostAsync("/recordings", JsonSerializer.Serialize(new { meeting_id = meeting, video_config = new { width = 320, height = 180 } })))
                .EnsureOk().Data.GetProperty("id").GetString()!;
            await api.WaitForAsync($"/recordings/{id}", r => r.Data.GetProperty("recording_duration").GetDouble() >= 1);
            (await api.SendAsync(HttpMethod.Put, $"/recordings/{id}", """{"action":"stop"}""")).EnsureOk();
            ids.Add(id);
        }

        var recordings = server.App.Services.GetRequiredService<RecordingService>();
        var store = server.App.Services.GetRequiredService<SqlRecordingStore>();
        string oldestFile = Path.Combine(recordings.Directory, ids[0] + ".mp4");
        Assert.True(File.Exists(oldestFile));
        long all = (await store.ListStoredAsync(CancellationToken.None)).Sum(r => r.FileSize ?? 0);
        long newest = (await api.GetAsync($"/recordings/{ids[1]}")).EnsureOk().Data.GetProperty("file_size").GetInt64();
        long oldest = (await api.GetAsync($"/recordings/{ids[0]}")).EnsureOk().Data.GetProperty("file_size").GetInt64();
        var sweep = new RecordingRetentionService(store, recordings, Options.Create(new RecordingsOptions { MaxTotalBytes = all - oldest }), TimeProvider.System,
            NullLogger<RecordingRetentionService>.Instance);

        Assert.Equal(1, await sweep.SweepAsync(CancellationToken.None));
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/recordings/{ids[0]}")).Status);
        Assert.False(File.Exists(oldestFile));
        Assert.Equal(newest, (await api.GetAsync($"/recordings/{ids[1]}")).EnsureOk().Data.GetProperty("file_size").GetInt64());
    }
}
