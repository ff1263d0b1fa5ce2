using Microsoft.Extensions.Options;

namespace Stagecast.Server.Hosting;

/// <summary>
/// The free space of the data directory's file system against the operator's floor
/// (<see cref="ServerOptions.DataDirMinFreeBytes"/>). Below it, what the server can refuse without harm stops first
/// (files sent in chat: <see cref="Require"/>), so the database keeps the room that is left; <c>/healthz</c> answers 503
/// (a load balancer sends new work elsewhere) and <c>/metrics</c> has both figures. Read from the file system each time
/// (one <c>statvfs</c>), never cached: space comes back as soon as the operator frees some.
/// </summary>
public sealed class DataDirectorySpace(IOptions<ServerOptions> options) : IHealthProbe
{
    public long FloorBytes => options.Value.DataDirMinFreeBytes;

    /// <summary>Bytes an unprivileged writer may still take on the data directory's file system.</summary>
    public long FreeBytes => new DriveInfo(options.Value.DataDir).AvailableFreeSpace;

    public bool IsBelowFloor => FreeBytes < FloorBytes;

    public string Name => "data directory";

    public string Failure => "below its free-space floor";

    /// <summary>Refuses (507) what would take <paramref name="bytes"/> more when that leaves less than the floor.</summary>
    public void Require(long bytes, string what)
    {
        if (FreeBytes - bytes < FloorBytes)
        {
            throw new DomainException(DomainError.InsufficientStorage,
                $"the server's disk is nearly full, so {what} is refused until its operator frees space");
        }
    }

    public Task<bool> ReachesAsync(CancellationToken cancellationToken) => Task.FromResult(!IsBelowFloor);
}
