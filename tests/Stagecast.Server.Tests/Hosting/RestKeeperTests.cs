using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Stagecast.Server.Hosting;
using Stagecast.Transport.Epoll;

namespace Stagecast.Server.Tests.Hosting;

/// <summary>
/// The server gives memory back when it comes to rest (<see cref="RestKeeper"/>), on a manual clock: a rest is
/// <see cref="ServerOptions.RestAfter"/> without a request and with nothing in progress, each rest gives back once,
/// and a server nobody asked anything since its last rest arms no timer at all.
/// </summary>
[Trait("Category", "InProcess")]
public sealed class RestKeeperTests : IDisposable
{
    private static readonly TimeSpan RestAfter = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Look = RestAfter / 2;
    private readonly FakeTimeProvider _clock = new();
    private readonly Work _work = new();
    private readonly RestKeeper _rest;

    public RestKeeperTests() => _rest = Keeper(RestAfter);

    public void Dispose() => _rest.Dispose();

    [Fact]
    public void QuietAfterARequestIsARestAndEachRestGivesBackOnce()
    {
        _clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, _rest.Rests); // nothing asked since the start's: no timer

        _rest.Touch();
        _clock.Advance(RestAfter - TimeSpan.FromSeconds(1));
        Assert.Equal(0, _rest.Rests);
        _clock.Advance(Look + TimeSpan.FromSeconds(1)); // it looks every half RestAfter
        Assert.Equal(1, _rest.Rests);
        _clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, _rest.Rests);

        _rest.Touch(); // the next rest needs a request first
        _clock.Advance(RestAfter + Look);
        Assert.Equal(2, _rest.Rests);
    }

    [Fact]
    public void EachRequestPutsTheRestOffUntilQuietFromTheLast()
    {
        _rest.Touch();
        _clock.Advance(TimeSpan.FromSeconds(20));
        _rest.Touch();
        _clock.Advance(TimeSpan.FromSeconds(15)); // 35 s after the first, 15 after the last
        Assert.Equal(0, _rest.Rests);
        _clock.Advance(TimeSpan.FromSeconds(14)); // 29 s after the last
        Assert.Equal(0, _rest.Rests);
        _clock.Advance(Look + TimeSpan.FromSeconds(1));
        Assert.Equal(1, _rest.Rests);
    }

    [Fact]
    public void NoRestWhileSomethingIsInProgress()
    {
        _work.Now = "1 live stream";
        _rest.Touch();
        _clock.Advance(RestAfter * 4);
        Assert.Equal(0, _rest.Rests);

        _work.Now = null; // the stream ended: the next look finds the rest
        _clock.Advance(Look);
        Assert.Equal(1, _rest.Rests);
    }

    [Fact]
    public void ZeroTurnsTheRestsOff()
    {
        using var off = Keeper(TimeSpan.Zero);
        off.Touch();
        _clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, off.Rests);
    }

    [Fact]
    public void ARestLetsGoOfTheSystemsLibrariesPagesToo()
    {
        System.Security.Cryptography.SHA256.HashData([1]); // maps OpenSSL, as a livestream's key or an RTMP handshake does
        var libraries = FilePages.Mappings(Environment.ProcessId).Select(m => m.Path)
            .Where(path => Path.GetFileName(path) is ['l', 'i', 'b', ..] name && name.Contains(".so", StringComparison.Ordinal)).Distinct().ToList();
        Assert.Contains(libraries, path => path.Contains("libcrypto", StringComparison.Ordinal));
        Assert.Contains(libraries, path => path.Contains("libc.so", StringComparison.Ordinal));
        string[] released = RestKeeper.MappedFileDirectories();
        Assert.All(libraries, path => Assert.Contains(released, directory => path.StartsWith(directory, StringComparison.Ordinal)));
    }

    private RestKeeper Keeper(TimeSpan restAfter) =>
        new(_clock, Options.Create(new ServerOptions { RestAfter = restAfter, GiveBackFilePages = false }), [_work], NullLogger<RestKeeper>.Instance);

    private sealed class Work : IShutdownReport
    {
        public string? Now { get; set; }

        public string? InProgress() => Now;
    }
}
