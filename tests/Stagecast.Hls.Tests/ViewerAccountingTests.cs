using Microsoft.Extensions.Time.Testing;
using Stagecast.Hls.Storage;
using Stagecast.Testing;

namespace Stagecast.Hls.Tests;

public class ViewerAccountingTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void EachMediaSecondCountsOncePerPlayer()
    {
        var viewers = new ViewerAccounting(_time);
        viewers.RecordDelivery("a", 0, 1);
        viewers.RecordDelivery("a", 1, 1.5);
        viewers.RecordDelivery("a", 0, 2); // the whole segment after its parts: only [1.5, 2) is new
        viewers.RecordDelivery("b", 10, 11); // a second player joining later
        viewers.RecordDelivery("b", 10, 11); // a retry counts nothing
        Assert.Equal(3.0, viewers.ViewerSeconds, 6);
    }

    [Fact]
    public void ActivePlayersAreThoseSeenRecently()
    {
        var viewers = new ViewerAccounting(_time);
        viewers.RecordDelivery("a", 0, 1);
        _time.Advance(TimeSpan.FromSeconds(20));
        viewers.RecordDelivery("b", 0, 1);
        Assert.Equal(1, viewers.ActivePlayers(TimeSpan.FromSeconds(10)));
        Assert.Equal(2, viewers.ActivePlayers(TimeSpan.FromMinutes(1)));
    }
}
