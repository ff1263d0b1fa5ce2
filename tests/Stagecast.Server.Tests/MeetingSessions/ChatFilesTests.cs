using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Features.Participants;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Database;
using Stagecast.Server.Hosting.Security;

namespace Stagecast.Server.Tests.MeetingSessions;

/// <summary>
/// Chat files without a server, on a SQLite file in a data directory of their own: what a new process finds of an
/// upload an earlier one was storing, how a file message is shown, the quotas, the data directory's floor (set above
/// what the disk has free) and the names taken.
/// </summary>
[Trait("Category", "InProcess")]
public sealed class ChatFilesTests : IAsyncLifetime
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("stagecast-chat-files-").FullName;
    private SqlDatabase _db = null!;

    public async Task InitializeAsync()
    {
        _db = new SqliteDatabase(Path.Combine(_dataDir, "stagecast.db"));
        await _db.MigrateAsync(CancellationToken.None);
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDir, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task BytesInPlaceBeforeACrashSavedTheirSizeCountAsUploaded()
    {
        var upload = await New().ReserveAsync(Participant("p1", "m1"), Session, "cat.png", Origin, null);
        // The store moved the bytes into place and the process died before it marked the file's record uploaded.
        await File.WriteAllBytesAsync(Path.Combine(Directory.CreateDirectory(Path.Combine(_dataDir, "chat-files")).FullName, upload.File.Id), [1, 2, 3]);

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

    [Fact]
    public async Task AParticipantsFilesStopAtItsQuotaEachCountingAtLeast64KiB()
    {
        var chat = new ChatOptions { MaxFileBytes = 150_000, MaxFileBytesPerParticipant = 200_000 };
        var files = New(chat: chat);
        var ada = Participant("ada", "m1");

        var first = await files.ReserveAsync(ada, Session, "a.pdf", Origin, null); // 64 KiB until its bytes arrive
        await files.StoreAsync(first.File, null, null, new MemoryStream(new byte[100_000]), CancellationToken.None); // then its 100,000 bytes
        var second = await files.ReserveAsync(ada, Session, "b.pdf", Origin, null); // 165,536 in all

        // Its bytes would pass the quota as they arrive (no length announced): refused, and what they had taken is given back.
        var refused = await Assert.ThrowsAsync<DomainException>(() => files.StoreAsync(second.File, null, null, new MemoryStream(new byte[150_000]), CancellationToken.None));
        Assert.Equal(DomainError.TooLarge, refused.Error);
        Assert.StartsWith("this participant's files in chat have reached their quota of 200000 bytes", refused.Message, StringComparison.Ordinal);
        refused = await Assert.ThrowsAsync<DomainException>(() => files.StoreAsync(second.File, null, 150_000, new MemoryStream(new byte[150_000]), CancellationToken.None));
        Assert.Equal(DomainError.TooLarge, refused.Error); // announced: refused before a byte is read
        await files.StoreAsync(second.File, null, null, new MemoryStream(new byte[30_000]), CancellationToken.None); // counts 64 KiB: 165,536

        // A third reservation would take 64 KiB more: 231,072 > 200,000. Another participant of the meeting has its own quota.
        Assert.Equal(DomainError.TooLarge, (await Assert.ThrowsAsync<DomainException>(() => files.ReserveAsync(ada, Session, "c.pdf", Origin, null))).Error);
        await files.ReserveAsync(Participant("bob", "m1"), Session, "c.pdf", Origin, null);

        // The next process reads the same figures from the records; chat's retention gives the quota back.
        var next = New(chat: chat);
        Assert.Equal(DomainError.TooLarge, (await Assert.ThrowsAsync<DomainException>(() => next.ReserveAsync(ada, Session, "c.pdf", Origin, null))).Error);
        Assert.Equal(3, await next.DeleteBeforeAsync(DateTimeOffset.UtcNow.AddMinutes(1), CancellationToken.None));
        await next.ReserveAsync(ada, Session, "c.pdf", Origin, null);
    }

    [Fact]
    public async Task AMeetingsAndAnAppsFilesStopAtTheirQuotasWhoeverSendsThem()
    {
        var files = New(chat: new ChatOptions { MaxFileBytesPerMeeting = 150_000, MaxFileBytesPerApp = 250_000 });
        await files.ReserveAsync(Participant("ada", "m1"), Session, "a.png", Origin, null);
        await files.ReserveAsync(Participant("bob", "m1"), Session, "b.png", Origin, null); // the meeting's 131,072
        var meeting = await Assert.ThrowsAsync<DomainException>(() => files.ReserveAsync(Participant("cy", "m1"), Session, "c.png", Origin, null));
        Assert.StartsWith("this meeting's files in chat have reached their quota of 150000 bytes", meeting.Message, StringComparison.Ordinal);

        await files.ReserveAsync(Participant("cy", "m2"), Session, "c.png", Origin, null); // the app's 196,608
        var app = await Assert.ThrowsAsync<DomainException>(() => files.ReserveAsync(Participant("dee", "m3"), Session, "d.png", Origin, null));
        Assert.StartsWith("this app's files in chat have reached their quota of 250000 bytes", app.Message, StringComparison.Ordinal);
        await files.ReserveAsync(Participant("eve", "m3", app: "another"), Session, "e.png", Origin, null);
    }

    [Fact]
    public async Task BelowTheDataDirectorysFreeSpaceFloorUploadsAreRefusedWith507()
    {
        var ada = Participant("ada", "m1");
        var upload = await New().ReserveAsync(ada, Session, "a.png", Origin, null);

        // A floor above what this disk has free: the disk is "full" for the server, however much is really free.
        var full = New(floor: long.MaxValue / 2);
        var refused = await Assert.ThrowsAsync<DomainException>(() => full.ReserveAsync(ada, Session, "b.png", Origin, null));
        Assert.Equal((DomainError.InsufficientStorage, "the server's disk is nearly full, so sending files in chat is refused until its operator frees space"),
            (refused.Error, refused.Message));
        refused = await Assert.ThrowsAsync<DomainException>(() => full.StoreAsync(upload.File, null, 3, new MemoryStream([1, 2, 3]), CancellationToken.None));
        Assert.Equal(DomainError.InsufficientStorage, refused.Error);
        Assert.False((await New().FindAsync(upload.File.Id))!.Uploaded);
    }

    [Theory]
    [InlineData("report\u202egpj.zip", "202E")] // right-to-left override: shows as "reportpiz.jpg"
    [InlineData("\u202bcat.png", "202B")]
    [InlineData("cat\u2067.png", "2067")] // an isolate
    [InlineData("cat\u200f.png", "200F")] // right-to-left mark
    [InlineData("c\u200bat.png", "200B")] // zero-width space
    [InlineData("cat\u2028.png", "2028")] // line separator
    [InlineData("cat\u0007.png", "0007")]
    [InlineData("cat\ufeff.png", "FEFF")]
    public async Task NamesWithDirectionOverridesOrOtherHiddenCharactersAreRefused(string name, string code)
    {
        var refused = await Assert.ThrowsAsync<DomainException>(() => New().ReserveAsync(Participant("ada", "m1"), Session, name, Origin, null));
        Assert.Equal(DomainError.BadRequest, refused.Error);
        Assert.EndsWith($"(U+{code})", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("my cat.png")]
    [InlineData("é.pdf")]
    [InlineData("\u0646\u0627\u0645\u0647\u200c\u0647\u0627.pdf")] // Persian: a zero-width non-joiner between its words
    [InlineData("\ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67.png")] // a family emoji: zero-width joiners
    [InlineData("\u05e7\u05d5\u05d1\u05e5.txt")] // Hebrew, right to left without any override
    public async Task NamesInAnyScriptAreKeptAsSent(string name)
    {
        Assert.Equal(name, (await New().ReserveAsync(Participant("ada", "m1"), Session, name, Origin, null)).File.Name);
    }

    private const string Origin = "https://stagecast.test";

    private const string Session = "s1";

    internal static Participant Participant(string id, string meetingId, string app = "app") =>
        new(id, meetingId, app, id, "preset", "group_call_host", id, null, "token", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);

    /// <summary>
    /// Chat files kept in the data directory (a process of the server, over its database): no bucket, so the storage
    /// never dials (its destination policy is not needed).
    /// </summary>
    private ChatFiles New(TimeProvider? time = null, ChatOptions? chat = null, long floor = 0) =>
        New(_dataDir, new SqlChatFileStore(_db, new NodeIdentity("node")), time, chat, floor);

    internal static ChatFiles New(string dataDir, SqlChatFileStore store, TimeProvider? time = null, ChatOptions? chat = null, long floor = 0)
    {
        var options = Options.Create(chat ?? new ChatOptions());
        var server = Options.Create(new ServerOptions { DataDir = dataDir, DataDirMinFreeBytes = floor });
        var clock = time ?? TimeProvider.System;
        return new(server, options, store, new ChatFileStorage(options, null!, clock, NullLogger<ChatFileStorage>.Instance), new DataDirectorySpace(server),
            new DownloadSigner(new byte[32], clock), clock, NullLogger<ChatFiles>.Instance);
    }
}
