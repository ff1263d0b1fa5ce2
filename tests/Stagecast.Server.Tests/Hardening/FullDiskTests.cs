using System.Net;
using System.Text.Json;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Hardening;

/// <summary>
/// A real full disk, without filling the machine's: the server's data directory on a 64 MiB tmpfs of its own (the
/// tests run as root), with a free-space floor of 16 MiB, filled by a file beside it. Below the floor, files sent in
/// chat stop first while the rest goes on, and <c>/healthz</c> and <c>/metrics</c> say so; with no room at all, what
/// the database cannot write answers 507 naming the problem, never a 500; freed, everything works again.
/// </summary>
public sealed class FullDiskTests : IAsyncLifetime
{
    private const long Floor = 16 * 1024 * 1024;
    private readonly string _mount = Directory.CreateTempSubdirectory("stagecast-full-disk-").FullName;
    private ServerFixture _server = null!;

    private string Filler => Path.Combine(_mount, "filler");

    public async Task InitializeAsync()
    {
        await RunAsync("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", _mount);
        string dataDir = Directory.CreateDirectory(Path.Combine(_mount, "data")).FullName;
        _server = await ServerFixture.StartAsync(["--data-dir", dataDir, "--set", $"Stagecast:DataDirMinFreeBytes={Floor}"]);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await RunAsync("umount", "--lazy", _mount); // SQLite's pool may still hold the database open: detached now, freed when it closes
        Directory.Delete(_mount);
    }

    [Fact]
    public async Task BelowItsFloorUploadsStopFirstAndAFullDiskAnswers507WhileHealthzAndMetricsSaySo()
    {
        var api = await _server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var ada = await api.AddParticipantAsync(meeting, "ada");
        var (a, _) = await MeetingHelpers.JoinAsync(_server.HttpBase, ada);
        await using var _a = a;
        string put = (await a.OkAsync("chat_upload", new { filename = "early.png" })).GetProperty("upload_url").GetString()!;
        Assert.Equal((HttpStatusCode.OK, "ok\n"), await HealthAsync());
        Assert.Contains("\nstagecast_data_dir_below_floor 0\n", await _server.MetricsAsync(), StringComparison.Ordinal);

        // Below the floor: uploads are refused, the reservation made before too; the database still has room for the rest.
        await FillAsync(leaving: Floor / 2);
        var refused = await a.RequestAsync("chat_upload", new { filename = "late.png" });
        Assert.Equal(507, refused.GetProperty("code").GetInt32());
        Assert.Contains("disk is nearly full", refused.GetProperty("message").GetString(), StringComparison.Ordinal);
        using (var upload = await _server.Http.PutAsync(new Uri(put).PathAndQuery, new ByteArrayContent([1, 2, 3])))
        {
            Assert.Equal(HttpStatusCode.InsufficientStorage, upload.StatusCode);
            Assert.Contains("disk is nearly full", Message(await upload.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        }

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "unavailable: database ok, data directory below its free-space floor\n"), await HealthAsync());
        string metrics = await _server.MetricsAsync();
        Assert.Contains("\nstagecast_data_dir_below_floor 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains($"\nstagecast_data_dir_min_free_bytes {Floor}\n", metrics, StringComparison.Ordinal);
        await api.CreateMeetingAsync();
        await a.OkAsync("chat_send", new { text = "still here" });

        // No room at all: the database's writes fail as they need new pages, each answered 507 with the envelope.
        await FillAsync(leaving: 0);
        await Eventually.TrueAsync(async () =>
        {
            var reply = await api.PostAsync("/meetings", """{"title":"one more"}""");
            Assert.True(reply.Status is HttpStatusCode.Created or HttpStatusCode.InsufficientStorage, reply.Body.ToString());
            if (reply.Status == HttpStatusCode.Created)
            {
                return false;
            }

            Assert.StartsWith("the server's storage is full, so nothing was saved", reply.ErrorMessage, StringComparison.Ordinal);
            return true;
        }, "a meeting's creation to find no room on the disk");
        var participant = await api.PostAsync($"/meetings/{meeting}/participants", """{"custom_participant_id":"bob","preset_name":"group_call_host"}""");
        Assert.Equal(HttpStatusCode.InsufficientStorage, participant.Status);
        var chat = await a.RequestAsync("chat_send", new { text = "anyone?" });
        Assert.Equal(507, chat.GetProperty("code").GetInt32());

        // Freed: everything works again.
        File.Delete(Filler);
        Assert.Equal((HttpStatusCode.OK, "ok\n"), await HealthAsync());
        await api.CreateMeetingAsync();
        await a.OkAsync("chat_send", new { text = "back" });
    }

    /// <summary>Grows the filler until the file system has <paramref name="leaving"/> bytes free (none: until it refuses a byte).</summary>
    private async Task FillAsync(long leaving)
    {
        await using var filler = new FileStream(Filler, FileMode.Append, FileAccess.Write, FileShare.None, bufferSize: 0);
        byte[] chunk = new byte[64 * 1024];
        try
        {
            while (new DriveInfo(_mount).AvailableFreeSpace is var free && free > leaving)
            {
                await filler.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, Math.Max(1, free - leaving))));
            }
        }
        catch (IOException) when (leaving == 0)
        {
            // full
        }
    }

    private async Task<(HttpStatusCode, string)> HealthAsync()
    {
        using var response = await _server.Http.GetAsync("/healthz");
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string Message(string body) => JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("message").GetString()!;

    private static async Task RunAsync(string command, params string[] arguments)
    {
        var (exitCode, _, error) = await ExternalProcess.RunAsync(command, arguments, TimeSpan.FromSeconds(30));
        Assert.True(exitCode == 0, $"{command} {string.Join(' ', arguments)}: {error} (this test mounts a tmpfs, so it runs as root)");
    }
}
