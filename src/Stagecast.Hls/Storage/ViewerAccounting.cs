namespace Stagecast.Hls.Storage;

/// <summary>
/// Counts viewer seconds: media seconds delivered to players, each second once per player. A player is one
/// playback session, told apart by the id its playlist URL carries (or, failing that, address and user agent).
/// Per player only the end of the media delivered so far is kept, so overlapping fetches (a part, then the segment
/// holding it) count once. Memory stays bounded: players idle for a while are forgotten.
/// </summary>
public sealed class ViewerAccounting(TimeProvider time)
{
    /// <summary>Players tracked at most; beyond this, idle ones are dropped first.</summary>
    public const int MaxTrackedPlayers = 100_000;

    private static readonly TimeSpan ForgetAfter = TimeSpan.FromMinutes(2);
    private readonly Dictionary<string, Player> _players = new(StringComparer.Ordinal);
    private double _viewerSeconds;

    public double ViewerSeconds
    {
        get
        {
            lock (_players)
            {
                return _viewerSeconds;
            }
        }
    }

    /// <summary>Records that a player received media [start, end) of the stream's timeline, in seconds.</summary>
    public void RecordDelivery(string player, double start, double end)
    {
        long now = time.GetTimestamp();
        lock (_players)
        {
            if (!_players.TryGetValue(player, out var state))
            {
                if (_players.Count >= MaxTrackedPlayers)
                {
                    ForgetIdle(now);
                }

                state = new Player { DeliveredUntil = start };
                _players[player] = state;
            }

            double counted = end - Math.Max(start, state.DeliveredUntil);
            if (counted > 0)
            {
                _viewerSeconds += counted;
                state.DeliveredUntil = end;
            }

            state.LastSeen = now;
        }
    }

    /// <summary>Players that fetched media within <paramref name="window"/>.</summary>
    public int ActivePlayers(TimeSpan window)
    {
        lock (_players)
        {
            return _players.Values.Count(p => time.GetElapsedTime(p.LastSeen) <= window);
        }
    }

    private void ForgetIdle(long now)
    {
        foreach (var (key, player) in _players.ToList())
        {
            if (time.GetElapsedTime(player.LastSeen, now) > ForgetAfter)
            {
                _players.Remove(key);
            }
        }

        if (_players.Count >= MaxTrackedPlayers)
        {
            _players.Remove(_players.MinBy(p => p.Value.LastSeen).Key);
        }
    }

    private sealed class Player
    {
        public double DeliveredUntil { get; set; }

        public long LastSeen { get; set; }
    }
}
