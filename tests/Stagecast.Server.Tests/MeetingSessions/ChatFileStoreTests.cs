using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Database;
using Stagecast.Testing;
using static Stagecast.Server.Tests.MeetingSessions.ChatFilesTests;

namespace Stagecast.Server.Tests.MeetingSessions;

/// <summary>Chat files' records on a real SQLite file.</summary>
[Trait("Category", "InProcess")]
public sealed class SqliteChatFileStoreTests : ChatFileStoreTests
{
    protected override Task<SqlDatabase> OpenAsync() => Task.FromResult<SqlDatabase>(new SqliteDatabase(Path.Combine(DataDir, "stagecast.db")));

    public override Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        return base.DisposeAsync();
    }
}

/// <summary>The same on a real PostgreSQL, as nodes of a cluster share it.</summary>
public sealed class PostgresChatFileStoreTests : ChatFileStoreTests
{
    protected override async Task<SqlDatabase> OpenAsync() => new PostgresDatabase(await (await PostgresServer.GetAsync()).CreateDatabaseAsync());
}

/// <summary>
/// Chat files' records in the SQL store, without a server: the sidecars earlier versions kept imported at start, once;
/// quotas summed from the records holding for two nodes side by side; each node deleting with chat's retention the
/// files whose bytes it has.
/// </summary>
public abstract class ChatFileStoreTests : IAsyncLifetime
{
    private const string Created = "2026-11-28T11:06:32.7571034+00:00";
    private SqlDatabase _db = null!;

    protected string DataDir { get; } = Directory.CreateTempSubdirectory("stagecast-chat-store-").FullName;

    protected abstract Task<SqlDatabase> OpenAsync();

    public async Task InitializeAsync()
    {
        _db = await OpenAsync();
        await _db.MigrateAsync(CancellationToken.None);
        await _db.WithConnectionAsync(c => c.ExecuteAsync(
            "INSERT INTO accounts (id, name, created_at) VALUES ('acc', NULL, 0); INSERT INTO apps (id, account_id, name, created_at) VALUES ('app', 'acc', NULL, 0); " +
            "INSERT INTO meetings (id, app_id, title, record_on_start, live_stream_on_start, persist_chat, summarize_on_end, transcribe_on_end, " +
            "session_keep_alive_time_in_secs, status, created_at, updated_at) VALUES ('m-old', 'app', NULL, 0, 0, 0, 0, 0, 60, 'ACTIVE', 0, 0);"),
            CancellationToken.None);
    }

    public virtual async Task DisposeAsync()
    {
        if (_db is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }

        Directory.Delete(DataDir, recursive: true);
    }

    [Fact]
    public async Task SidecarsKeptBeforeAreImportedOnceAtStartThenRemovedAndCountTowardTheQuotas()
    {
        // As ChatFiles wrote them until now (System.Text.Json's default names, its order): an uploaded file; one whose
        // bytes were moved into place before a crash kept its size; one in the bucket; one written before S3 and quotas
        // (no StorageKey, no AppId: its app is its meeting's); a reservation whose bytes never came; one that cannot be read.
        string directory = Directory.CreateDirectory(Path.Combine(DataDir, "chat-files")).FullName;
        await SidecarAsync(directory, "Uploaded00000000000000", "m1", "ada", "report.pdf", "application/pdf", 100_000, storageKey: "null", app: "\"app\"", bytes: 100_000);
        await SidecarAsync(directory, "Crashed000000000000000", "m1", "ada", "cat.png", "image/png", -1, storageKey: "null", app: "\"app\"", bytes: 3);
        await SidecarAsync(directory, "InTheBucket00000000000", "m1", "cy", "dog.png", "image/png", 2048, storageKey: "\"chat/InTheBucket00000000000\"", app: "\"app\"");
        await SidecarAsync(directory, "BeforeQuotas0000000000", "m-old", "bob", "old.png", "image/png", -1, storageKey: null, app: null);
        await SidecarAsync(directory, "Reserved00000000000000", "m1", "ada", "late.txt", "text/plain", -1, storageKey: "null", app: "\"app\"");
        await File.WriteAllTextAsync(Path.Combine(directory, "Unreadable000000000000.json"), "{\"Id\":\"Unread");
        await File.WriteAllTextAsync(Path.Combine(directory, "Cut0000000000000000000.json.tmp"), "{\"Id\":");

        var store = new SqlChatFileStore(_db, new NodeIdentity("node"));
        await Import(store).RunAsync(CancellationToken.None);

        var files = New(DataDir, store);
        Assert.Equal(
            new ChatFile("Uploaded00000000000000", "m1", "ada", "report.pdf", "application/pdf", 100_000, Origin, new DateTimeOffset(2026, 11, 28, 11, 6, 32, 757, TimeSpan.Zero),
                null, "app"),
            await files.FindAsync("Uploaded00000000000000"));
        Assert.Equal((true, 3L), await UploadedAsync(files, "Crashed000000000000000"));
        Assert.Equal((true, 2048L, "chat/InTheBucket00000000000"), (await files.FindAsync("InTheBucket00000000000")) is { } s3 ? (s3.Uploaded, s3.Size, s3.StorageKey) : default);
        Assert.Equal((false, "app"), (await files.FindAsync("BeforeQuotas0000000000")) is { } old ? (old.Uploaded, old.AppId) : default);
        Assert.Equal((false, -1L), await UploadedAsync(files, "Reserved00000000000000"));
        Assert.Null(await files.FindAsync("Unreadable000000000000"));
        Assert.Equal(["Crashed000000000000000", "Unreadable000000000000.json.unreadable", "Uploaded00000000000000"],
            Directory.EnumerateFiles(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        // An import that stopped before it removed a sidecar: the next start finds its file kept and leaves it as it is.
        await SidecarAsync(directory, "Uploaded00000000000000", "m1", "ada", "renamed.pdf", "application/pdf", 100_000, storageKey: "null", app: "\"app\"");
        await Import(store).RunAsync(CancellationToken.None);
        Assert.Equal("report.pdf", (await files.FindAsync("Uploaded00000000000000"))?.Name);
        Assert.False(File.Exists(Path.Combine(directory, "Uploaded00000000000000.json")));

        // What they keep counts: Ada's three 231,072 bytes (100,000 and two of 64 KiB), the app's five 362,144.
        files = New(DataDir, store, chat: new ChatOptions { MaxFileBytesPerParticipant = 231_072 + 65_535, MaxFileBytesPerApp = 362_144 + 65_535 });
        var refused = await Assert.ThrowsAsync<DomainException>(() => files.ReserveAsync(Participant("ada", "m1"), "s1", "more.png", Origin, null));
        Assert.StartsWith("this participant's files in chat have reached their quota", refused.Message, StringComparison.Ordinal);
        refused = await Assert.ThrowsAsync<DomainException>(() => files.ReserveAsync(Participant("dee", "m2"), "s2", "more.png", Origin, null));
        Assert.StartsWith("this app's files in chat have reached their quota", refused.Message, StringComparison.Ordinal);
        await files.ReserveAsync(Participant("eve", "m3", app: "another"), "s3", "more.png", Origin, null);
    }

    [Fact]
    public async Task ReservationsAndUploadsOnTwoNodesSideBySideNeverPassAQuotaTogether()
    {
        var chat = new ChatOptions { MaxFileBytesPerParticipant = 5 * ChatFileQuota.MinimumCost };
        ChatFiles[] nodes = [Node("a", chat), Node("b", chat)];
        var ada = Participant("ada", "m1");

        var reservations = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Outcome(() => nodes[i % 2].ReserveAsync(ada, "s1", $"{i}.pdf", Origin, null))));
        Assert.Equal(5, reservations.Count(r => r.Done is not null));
        Assert.All(reservations.Where(r => r.Done is null), r => Assert.Equal(DomainError.TooLarge, r.Refused));

        // Two of the five take 200,000 bytes each, sent without a length, on one node each: 265,536 + 265,536 + 3 × 65,536 would pass 327,680.
        var uploads = await Task.WhenAll(reservations.Where(r => r.Done is not null).Take(2).Select((r, i) => Outcome(() => nodes[i].StoreAsync(r.Done!.File, null, null, new TrickleStream(200_000), CancellationToken.None))));
        Assert.True(uploads.Count(u => u.Done is not null) <= 1, "both uploads were taken");
        Assert.All(uploads.Where(u => u.Done is null), u => Assert.Equal(DomainError.TooLarge, u.Refused));
    }

    [Fact]
    public async Task InAClusterEachNodeServesAndDeletesTheFilesInItsOwnDataDirectory()
    {
        var a = Node("a", clustered: true);
        var b = Node("b", clustered: true);
        var ada = Participant("ada", "m1");
        var onA = await a.ReserveAsync(ada, "s1", "a.png", Origin, null);
        await a.StoreAsync(onA.File, null, 3, new MemoryStream([1, 2, 3]), CancellationToken.None);
        var onB = await b.ReserveAsync(ada, "s1", "b.png", Origin, null);
        await b.StoreAsync(onB.File, null, 3, new MemoryStream([4, 5, 6]), CancellationToken.None);

        // Both records are every node's; the bytes only the node's that took them.
        Assert.True((await b.FindAsync(onA.File.Id))?.Uploaded);
        var link = new Uri(onA.GetUrl);
        var query = System.Web.HttpUtility.ParseQueryString(link.Query);
        Assert.Equal(DomainError.NotFound,
            (await Assert.ThrowsAsync<DomainException>(() => b.OpenAsync(Uri.UnescapeDataString(link.AbsolutePath), query["expires"], query["signature"], onA.File.Id))).Error);
        Assert.Equal(3, new FileInfo((await a.OpenAsync(Uri.UnescapeDataString(link.AbsolutePath), query["expires"], query["signature"], onA.File.Id)).Bytes).Length);

        // Retention on B deletes B's file, not A's, whose bytes B cannot reach; A's deletes its own.
        var later = DateTimeOffset.UtcNow.AddMinutes(1);
        Assert.Equal(1, await b.DeleteBeforeAsync(later, CancellationToken.None));
        Assert.Null(await a.FindAsync(onB.File.Id));
        Assert.NotNull(await b.FindAsync(onA.File.Id));
        Assert.Equal(1, await a.DeleteBeforeAsync(later, CancellationToken.None));
        Assert.Null(await b.FindAsync(onA.File.Id));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(DataDir, "a", "chat-files")));
    }

    private const string Origin = "https://stagecast.test";

    /// <summary>A node of the server: a data directory of its own (under this test's) over the shared database.</summary>
    private ChatFiles Node(string id, ChatOptions? chat = null, bool clustered = false)
    {
        var node = clustered ? new NodeIdentity(id, _ => Task.FromResult<IReadOnlyCollection<string>>(["a", "b"])) : new NodeIdentity(id);
        return New(Directory.CreateDirectory(Path.Combine(DataDir, id)).FullName, new SqlChatFileStore(_db, node), chat: chat);
    }

    private ChatFileSidecars Import(SqlChatFileStore store) =>
        new(Options.Create(new ServerOptions { DataDir = DataDir }), store, NullLogger<ChatFileSidecars>.Instance);

    /// <summary>
    /// A sidecar as ChatFiles wrote it, byte for byte; <paramref name="storageKey"/> and <paramref name="app"/> as JSON
    /// (null: the property absent, as before S3 and quotas); with <paramref name="bytes"/> bytes beside it.
    /// </summary>
    private static async Task SidecarAsync(
        string directory, string id, string meeting, string participant, string name, string type, long size, string? storageKey, string? app, int bytes = 0)
    {
        string laterProperties = (storageKey is null ? "" : $",\"StorageKey\":{storageKey}") + (app is null ? "" : $",\"AppId\":{app}");
        string json = $$"""{"Id":"{{id}}","MeetingId":"{{meeting}}","ParticipantId":"{{participant}}","Name":"{{name}}","ContentType":"{{type}}","Size":{{size}},"Origin":"{{Origin}}","CreatedAt":"{{Created}}"{{laterProperties}}}""";
        await File.WriteAllTextAsync(Path.Combine(directory, id + ".json"), json);
        if (bytes > 0)
        {
            await File.WriteAllBytesAsync(Path.Combine(directory, id), new byte[bytes]);
        }
    }

    private static async Task<(bool, long)> UploadedAsync(ChatFiles files, string id) =>
        await files.FindAsync(id) is { } file ? (file.Uploaded, file.Size) : throw new InvalidOperationException($"no file {id}");

    private static async Task<(T? Done, DomainError? Refused)> Outcome<T>(Func<Task<T>> action)
        where T : class
    {
        try
        {
            return (await Task.Run(action), null);
        }
        catch (DomainException ex)
        {
            return (null, ex.Error);
        }
    }

    /// <summary>A body that arrives a little at a time (as a slow client's, without a length), so two uploads' charges interleave.</summary>
    private sealed class TrickleStream(int length) : Stream
    {
        private int _sent;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => _sent; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            int count = Math.Min(Math.Min(buffer.Length, 10_000), length - _sent);
            buffer.Span[..count].Clear();
            _sent += count;
            return count;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
