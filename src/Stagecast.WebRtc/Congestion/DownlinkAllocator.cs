namespace Stagecast.WebRtc.Congestion;

/// <summary>
/// One video track a subscriber's connection carries, as the allocator sees it: its priority (higher first: a screen
/// share, the active speaker), the rates of the layers it may be sent (bit/s, highest first; the first is the ceiling,
/// the layer the subscriber asked for), and the layer it is sent now (an index into them, or -1: paused).
/// </summary>
public sealed record AllocatedTrack(int Priority, IReadOnlyList<long> LayerBps, int Current);

/// <summary>
/// Shares a subscriber connection's estimate among its video tracks, as LiveKit's and mediasoup's allocators do, once
/// its audio is taken out: by priority, each gets the highest layer that fits what is left, the rest pause. A track
/// keeps its layer while it still fits; it is given a higher one only with <see cref="UpHeadroom"/> to spare, so the
/// estimate's noise does not switch it back and forth (each switch waits for a keyframe). A track being sent pauses
/// only when what is left falls below <see cref="PauseBelow"/> of its lowest layer.
/// </summary>
public static class DownlinkAllocator
{
    /// <summary>How much more than a higher layer's rate must be left before a track switches up to it.</summary>
    public const double UpHeadroom = 1.25;

    /// <summary>
    /// The share of its lowest layer's rate that must be left for a track being sent to keep it rather than pause. A
    /// cut of the estimate leaves it at 85 % of what arrived, so one cut, from a queue or from a busy receiver's late
    /// timestamps, would pause a track whose only layer filled the link, and its picture would freeze until probes found
    /// the room again (LiveKit pauses no video unless told to); a link far narrower than the layer still pauses it.
    /// </summary>
    public const double PauseBelow = 0.7;

    /// <summary>The layer each track is to be sent (an index into its layers, or -1: paused), in the order given.</summary>
    public static int[] Allocate(long budgetBps, IReadOnlyList<AllocatedTrack> tracks)
    {
        var chosen = new int[tracks.Count];
        double left = budgetBps;
        foreach (int i in Enumerable.Range(0, tracks.Count).OrderByDescending(i => tracks[i].Priority))
        {
            var track = tracks[i];
            chosen[i] = -1;
            for (int layer = 0; layer < track.LayerBps.Count; layer++)
            {
                // Up (or back from a pause) with room to spare; the lowest layer of a track being sent while most of it fits.
                double weight = track.Current < 0 || layer < track.Current ? UpHeadroom : layer == track.LayerBps.Count - 1 ? PauseBelow : 1;
                if (track.LayerBps[layer] * weight <= left)
                {
                    chosen[i] = layer;
                    left -= track.LayerBps[layer];
                    break;
                }
            }
        }

        return chosen;
    }
}
