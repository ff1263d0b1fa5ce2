namespace Stagecast.WebRtc.Sfu;

/// <summary>
/// Who is speaking in a meeting, from its publishers' audio levels (RFC 6464), fed a few times a second. Loudness is
/// smoothed per peer; the loudest peer above <see cref="SpeakingLevel"/> becomes the active speaker once it has been
/// loudest for <see cref="Takeover"/>, and a speaker keeps the place for at least <see cref="Hold"/>, so a cough or
/// a word of agreement does not make the picture flicker. When nobody speaks, the last speaker stays.
/// </summary>
public sealed class ActiveSpeakerDetector(TimeProvider time)
{
    /// <summary>Louder than -60 dBov is speech (a quiet room is around -70 and below).</summary>
    public const int SpeakingLevel = 60;

    public static readonly TimeSpan Takeover = TimeSpan.FromMilliseconds(300);

    public static readonly TimeSpan Hold = TimeSpan.FromSeconds(1);

    private const double Smoothing = 0.5;

    private readonly Dictionary<string, double> _loudness = new(StringComparer.Ordinal);
    private string? _candidate;
    private long _candidateSince;
    private long _currentSince;

    /// <summary>The active speaker's peer id, or null before anyone spoke.</summary>
    public string? Current { get; private set; }

    /// <summary>Takes one round of levels (0 loudest, 127 silence); returns the new active speaker when it changed, else null.</summary>
    public string? Update(IEnumerable<(string PeerId, int Level)> levels)
    {
        long now = time.GetTimestamp();
        string? loudest = null;
        double loudestValue = 127 - SpeakingLevel;
        foreach (var (peer, level) in levels)
        {
            double loudness = 127 - Math.Clamp(level, 0, 127);
            double smoothed = _loudness.TryGetValue(peer, out double previous) ? previous + (Smoothing * (loudness - previous)) : loudness;
            _loudness[peer] = smoothed;
            if (smoothed >= loudestValue)
            {
                (loudest, loudestValue) = (peer, smoothed);
            }
        }

        if (loudest is null || loudest == Current)
        {
            _candidate = null;
            return null;
        }

        if (loudest != _candidate)
        {
            (_candidate, _candidateSince) = (loudest, now);
        }

        bool heldLongEnough = Current is null || time.GetElapsedTime(_currentSince, now) >= Hold;
        if (time.GetElapsedTime(_candidateSince, now) < Takeover || !heldLongEnough)
        {
            return null;
        }

        (Current, _currentSince, _candidate) = (loudest, now, null);
        return loudest;
    }

    /// <summary>A peer left or stopped publishing audio: it is forgotten (and is no longer the speaker).</summary>
    public void Remove(string peerId)
    {
        _loudness.Remove(peerId);
        if (Current == peerId)
        {
            Current = null;
        }

        if (_candidate == peerId)
        {
            _candidate = null;
        }
    }
}
