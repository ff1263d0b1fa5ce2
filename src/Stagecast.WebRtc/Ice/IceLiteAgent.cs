namespace Stagecast.WebRtc.Ice;

/// <summary>
/// One session's ICE-lite side (RFC 8445 section 2.5): its credentials, the paths that passed a binding check, the
/// one we send on, and the peer's consent (RFC 7675). Stagecast never sends checks: the controlling peer's binding
/// requests validate paths, USE-CANDIDATE nominates one, and authenticated traffic on another validated path moves
/// us there (the peer's agent changed its mind). The session must connect before its deadline and keep consent.
/// </summary>
public sealed class IceLiteAgent
{
    /// <summary>Paths one session may validate (each candidate pair of a browser is one).</summary>
    public const int MaxPaths = 8;

    private readonly TimeProvider _time;
    private IcePath[] _paths = [];
    private long _lastConsent;

    public IceLiteAgent(string remoteUfrag, TimeProvider time)
    {
        _time = time;
        Credentials = IceCredentials.Create();
        RemoteUfrag = remoteUfrag;
        CreatedAt = time.GetTimestamp();
    }

    public IceCredentials Credentials { get; }

    /// <summary>The peer's ufrag from its offer: a binding request's USERNAME must be ours, then this.</summary>
    public string RemoteUfrag { get; }

    /// <summary>Where we send: the nominated path, or the first validated one until a nomination.</summary>
    public IcePath? Selected { get; private set; }

    /// <summary>Paths that carried a valid binding request (at most <see cref="MaxPaths"/>).</summary>
    public IReadOnlyList<IcePath> Paths => Volatile.Read(ref _paths);

    public long CreatedAt { get; }

    /// <summary>How long since the peer last proved it is there (a binding request, or authenticated media).</summary>
    public TimeSpan SinceConsent => _time.GetElapsedTime(Volatile.Read(ref _lastConsent) is var at and not 0 ? at : CreatedAt);

    /// <summary>How long since the session was answered.</summary>
    public TimeSpan Age => _time.GetElapsedTime(CreatedAt);

    /// <summary>
    /// A binding request that passed its integrity check: consent, and the path may carry this session from now on.
    /// Returns true when the path is new (the transport routes it to this session).
    /// </summary>
    public bool OnBinding(IcePath from, bool useCandidate)
    {
        Consent();
        var paths = Volatile.Read(ref _paths);
        bool added = false;
        if (!paths.Contains(from) && paths.Length < MaxPaths)
        {
            Volatile.Write(ref _paths, [.. paths, from]);
            added = true;
        }

        if (Selected is null || (useCandidate && !Selected.Equals(from)))
        {
            Selected = from;
        }

        return added;
    }

    /// <summary>Authenticated traffic arrived: the peer is there.</summary>
    public void Consent() => Volatile.Write(ref _lastConsent, _time.GetTimestamp());

    /// <summary>
    /// Authenticated traffic (SRTP, or DTLS during the handshake) on another validated path than the selected one:
    /// the peer's agent moved there (it nominated another pair), so we follow.
    /// </summary>
    public void Latch(IcePath? from)
    {
        if (from is not null && Selected is { } selected && !selected.Equals(from) && Paths.Contains(from))
        {
            Selected = from;
        }
    }

    /// <summary>Why the session should end now, or null: not connected by the deadline, or consent expired.</summary>
    public string? Expired(bool connected, TimeSpan connectDeadline, TimeSpan consentTimeout) =>
        !connected && Age > connectDeadline ? "ICE and DTLS did not complete in time"
        : connected && SinceConsent > consentTimeout ? $"no consent from the peer for {consentTimeout.TotalSeconds:0} s"
        : null;
}
