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
/// estimate's noise does not switch it back and forth (each switch waits for a keyframe).
/// </summary>
public static class DownlinkAllocator
{
    /// <summary>How much more than a higher layer's rate must be left before a track switches up to it.</summary>
    public const double UpHeadroom = 1.25;

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
                bool higher = track.Current < 0 || layer < track.Current;
                if (track.LayerBps[layer] * (higher ? UpHeadroom : 1) <= left)
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
