using Stagecast.Server.Features.MeetingMedia;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>
/// The order a RealtimeKit consumer tries a camera's simulcast layers in while the one it asked for stops: the SDK's
/// <c>asciibetical</c> priority (its RIDs f, h, q go from large to small), the next smaller first, then the larger.
/// </summary>
[Trait("Category", "InProcess")]
public sealed class RealtimeKitLayerOrderTests
{
    private static readonly (string Rid, string Layer)[] Layers = [("q", "quarter"), ("f", "full"), ("h", "half")];

    [Theory]
    [InlineData("f", new[] { "full", "half", "quarter" })]
    [InlineData("h", new[] { "half", "quarter", "full" })]
    [InlineData("q", new[] { "quarter", "half", "full" })]
    public void TheAskedLayerComesFirstThenTheSmallerOnesThenTheLargerNearestFirst(string preferred, string[] order) =>
        Assert.Equal(order, MeetingRouter.NearestFirst(Layers, preferred));

    [Fact]
    public void AnUnknownLayerLeavesTheAsciibeticalOrder() =>
        Assert.Equal(["full", "half", "quarter"], MeetingRouter.NearestFirst(Layers, "x"));
}
