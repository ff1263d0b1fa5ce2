using System.Net;
using Microsoft.Extensions.Time.Testing;
using Stagecast.WebRtc.Ice;
using Stagecast.WebRtc.Transport;

namespace Stagecast.WebRtc.Tests;

/// <summary>The ICE-lite agent on a fake clock: paths, nomination, following the peer, the connect deadline and consent.</summary>
public sealed class IceLiteAgentTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero));

    [Fact]
    public void TheFirstValidPathIsUsedUntilOneIsNominatedAndAuthenticatedTrafficElsewhereMovesUs()
    {
        var agent = new IceLiteAgent("remote", _time);
        var first = Path(5000);
        var second = Path(5001);
        Assert.True(agent.OnBinding(first, useCandidate: false));
        Assert.Same(first, agent.Selected);
        Assert.True(agent.OnBinding(second, useCandidate: true));
        Assert.Same(second, agent.Selected); // nominated
        Assert.False(agent.OnBinding(Path(5000), useCandidate: false)); // the same path again is not new
        Assert.Same(second, agent.Selected); // a check without USE-CANDIDATE moves nothing

        agent.Latch(first); // SRTP authenticated on the other validated path: the peer moved there
        Assert.Same(first, agent.Selected);
        agent.Latch(Path(6000)); // a path never validated moves nothing
        Assert.Same(first, agent.Selected);

        for (int port = 7000; port < 7000 + IceLiteAgent.MaxPaths; port++)
        {
            agent.OnBinding(Path(port), useCandidate: false);
        }

        Assert.Equal(IceLiteAgent.MaxPaths, agent.Paths.Count); // bounded
    }

    [Fact]
    public void ASessionMustConnectByTheDeadlineAndThenKeepConsent()
    {
        var deadline = TimeSpan.FromSeconds(15);
        var consent = TimeSpan.FromSeconds(30);
        var agent = new IceLiteAgent("remote", _time);
        _time.Advance(TimeSpan.FromSeconds(14));
        Assert.Null(agent.Expired(connected: false, deadline, consent));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("ICE and DTLS did not complete in time", agent.Expired(connected: false, deadline, consent));

        agent.OnBinding(Path(5000), useCandidate: true); // consent at 16 s
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Null(agent.Expired(connected: true, deadline, consent));
        agent.Consent(); // media that authenticates counts as consent too
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Null(agent.Expired(connected: true, deadline, consent));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("no consent from the peer for 30 s", agent.Expired(connected: true, deadline, consent));
    }

    private static UdpPath Path(int port) => new(null!, new IPEndPoint(IPAddress.Loopback, port));
}
