namespace Stagecast.Media.Fmp4;

/// <summary>The samples of one track in one movie fragment, starting at <see cref="BaseDecodeTime"/>.</summary>
public readonly record struct TrackRun(uint TrackId, ulong BaseDecodeTime, ReadOnlyMemory<FragmentSample> Samples, bool IsVideo)
{
    public long DataSize
    {
        get
        {
            long total = 0;
            foreach (var sample in Samples.Span)
            {
                total += sample.Size;
            }

            return total;
        }
    }
}
