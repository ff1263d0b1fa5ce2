using Microsoft.Extensions.Options;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Features.Participants;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Security;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>Chat files on disk, without a server: what a new process finds of an upload an earlier one was storing.</summary>
[Trait("Category", "InProcess")]
public sealed class ChatFilesTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("stagecast-chat-files-").FullName;

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);

    [Fact]
    public async Task BytesInPlaceBeforeACrashSavedTheirSizeCountAsUploaded()
    {
        var participant = new Participant("p1", "m1", "app", "ada", "preset", "group_call_host", "Ada", null, "token", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);
        var upload = await New().ReserveAsync(participant, true, "cat.png", "https://stagecast.test", null);
        // The store moved the bytes into place and the process died before it saved the size in the sidecar.
        await File.WriteAllBytesAsync(Path.Combine(_dataDir, "chat-files", upload.File.Id), [1, 2, 3]);

        var found = await New().FindAsync(upload.File.Id); // the next process
        Assert.NotNull(found);
        Assert.True(found.Uploaded);
        Assert.Equal(3, found.Size);
    }

    private ChatFiles New() => new(Options.Create(new ServerOptions { DataDir = _dataDir }), Options.Create(new ChatOptions()),
        new DownloadSigner(new byte[32], TimeProvider.System), TimeProvider.System);
}
