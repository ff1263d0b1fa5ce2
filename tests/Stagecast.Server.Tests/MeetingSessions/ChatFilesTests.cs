using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Features.Participants;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Security;

namespace Stagecast.Server.Tests.MeetingSessions;

/// <summary>
/// Chat files without a server: what a new process finds of an upload an earlier one was storing, and how a file
/// message is shown.
/// </summary>
[Trait("Category", "InProcess")]
public sealed class ChatFilesTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("stagecast-chat-files-").FullName;

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);

    [Fact]
    public async Task BytesInPlaceBeforeACrashSavedTheirSizeCountAsUploaded()
    {
        var participant = new Participant("p1", "m1", "app", "ada", "preset", "group_call_host", "Ada", null, "token", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);
        var upload = await New().ReserveAsync(participant, "cat.png", "https://stagecast.test", null);
        // The store moved the bytes into place and the process died before it saved the size in the sidecar.
        await File.WriteAllBytesAsync(Path.Combine(_dataDir, "chat-files", upload.File.Id), [1, 2, 3]);

        var found = await New().FindAsync(upload.File.Id); // the next process
        Assert.NotNull(found);
        Assert.True(found.Uploaded);
        Assert.Equal(3, found.Size);
    }

    [Fact]
    public void AFileMessageIsSignedOnceAnHourHoweverOftenItIsShown()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 10, 20, 0, TimeSpan.Zero));
        var files = New(clock);
        var file = new ChatFile("AAAAAAAAAAAAAAAAAAAAAA", "m1", "p1", "cat.png", "image/png", 3, "https://stagecast.test", clock.GetUtcNow());
        var message = new ChatMessage("c1", "s1", "m1", "p1", "peer1", "Ada", "image", ChatFileJson.Write(file), false, false, clock.GetUtcNow());

        string first = files.Shown(message);
        Assert.Contains($"expires={new DateTimeOffset(2026, 11, 28, 11, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds()}&", first, StringComparison.Ordinal); // a day, to the hour
        clock.Advance(TimeSpan.FromMinutes(30)); // every peer and every history read in this hour: the same link, not signed again
        Assert.Same(first, files.Shown(message));
        Assert.Same(first, files.Shown(message));

        clock.Advance(TimeSpan.FromMinutes(15)); // 11:05: the next hour's link, still a day ahead
        string next = files.Shown(message);
        Assert.Contains($"expires={new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds()}&", next, StringComparison.Ordinal);
    }

    /// <summary>Chat files kept in the data directory: no bucket, so the storage never dials (its destination policy is not needed).</summary>
    private ChatFiles New(TimeProvider? time = null)
    {
        var options = Options.Create(new ChatOptions());
        var clock = time ?? TimeProvider.System;
        return new(Options.Create(new ServerOptions { DataDir = _dataDir }), options, new ChatFileStorage(options, null!, clock, NullLogger<ChatFileStorage>.Instance),
            new DownloadSigner(new byte[32], clock), clock, NullLogger<ChatFiles>.Instance);
    }
}
