using Stagecast.Testing;

namespace Stagecast.Server.Tests;

/// <summary>
/// Two test processes run at once (./test.sh's two lanes): each hands out ports from a block no other holds, so a port
/// one has chosen and not yet bound is never chosen by the other (CI saw the server find its metrics port taken).
/// </summary>
[Trait("Category", "InProcess")]
public sealed class FreePortsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("stagecast-ports-").FullName;

    [Fact]
    public void ABlockHeldByOneHolderIsNeverHandedToAnotherUntilItIsLetGo()
    {
        var claims = Enumerable.Range(0, 12).Select(_ => FreePorts.ClaimBlock(_directory)).ToList();
        try
        {
            Assert.Equal(12, claims.Select(c => c.Start).Distinct().Count());
            Assert.All(claims, c => Assert.InRange(c.Start, 20000, 31000));
            var refused = Assert.Throws<InvalidOperationException>(() => FreePorts.ClaimBlock(_directory));
            Assert.Contains("held by other test processes", refused.Message);

            int start = claims[5].Start;
            claims[5].Lock.Dispose();
            var again = FreePorts.ClaimBlock(_directory);
            claims[5] = again;
            Assert.Equal(start, again.Start);
        }
        finally
        {
            claims.ForEach(c => c.Lock.Dispose());
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
