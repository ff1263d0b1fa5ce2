namespace Stagecast.Media.Fmp4;

/// <summary>
/// Writes a movie fragment header (ISO/IEC 14496-12 8.8): moof { mfhd, traf { tfhd, tfdt, trun }* } followed by
/// the mdat box header. The caller appends each run's sample bytes, in run order, right after.
/// <code>
/// tfhd flags 0x020000 default-base-is-moof | tfdt v1 64-bit baseMediaDecodeTime
/// trun v1 flags: 0x001 data-offset | 0x100 duration | 0x200 size | 0x400 flags (video) | 0x800 CTS offset (video)
/// </code>
/// </summary>
public static class FragmentWriter
{
    private const uint SyncSampleFlags = 0x02000000; // sample_depends_on = 2 (independent)
    private const uint NonSyncSampleFlags = 0x01010000; // sample_depends_on = 1, sample_is_non_sync_sample = 1
    private const uint VideoRunFlags = 0x000001 | 0x000100 | 0x000200 | 0x000400 | 0x000800;
    private const uint AudioRunFlags = 0x000001 | 0x000100 | 0x000200;

    /// <summary>Writes moof and the mdat header; returns the number of payload bytes the caller must append.</summary>
    public static long WriteHeader(BoxBuffer box, uint sequenceNumber, ReadOnlySpan<TrackRun> runs)
    {
        int moofStart = box.Length;
        int moof = box.StartBox("moof"u8);
        int mfhd = box.StartFullBox("mfhd"u8, 0, 0);
        box.WriteUInt32(sequenceNumber);
        box.EndBox(mfhd);

        Span<int> dataOffsetPositions = stackalloc int[runs.Length];
        for (int i = 0; i < runs.Length; i++)
        {
            dataOffsetPositions[i] = WriteTrackFragment(box, runs[i]);
        }

        box.EndBox(moof);
        int moofSize = box.Length - moofStart;

        long payload = 0;
        for (int i = 0; i < runs.Length; i++)
        {
            box.PatchInt32(dataOffsetPositions[i], checked((int)(moofSize + 8 + payload)));
            payload += runs[i].DataSize;
        }

        box.WriteUInt32(checked((uint)(8 + payload)));
        box.WriteBytes("mdat"u8);
        return payload;
    }

    /// <summary>Writes one traf and returns the position of its trun data_offset field.</summary>
    private static int WriteTrackFragment(BoxBuffer box, in TrackRun run)
    {
        var samples = run.Samples.Span;
        if (samples.Length > MediaLimits.MaxSamplesPerFragment)
        {
            throw new ArgumentException($"a fragment holds at most {MediaLimits.MaxSamplesPerFragment} samples per track");
        }

        int traf = box.StartBox("traf"u8);
        int tfhd = box.StartFullBox("tfhd"u8, 0, 0x020000);
        box.WriteUInt32(run.TrackId);
        box.EndBox(tfhd);

        int tfdt = box.StartFullBox("tfdt"u8, 1, 0);
        box.WriteUInt64(run.BaseDecodeTime);
        box.EndBox(tfdt);

        int trun = box.StartFullBox("trun"u8, 1, run.IsVideo ? VideoRunFlags : AudioRunFlags);
        box.WriteUInt32((uint)samples.Length);
        int dataOffsetPosition = box.Length;
        box.WriteInt32(0);
        foreach (var sample in samples)
        {
            box.WriteUInt32(sample.Duration);
            box.WriteUInt32((uint)sample.Size);
            if (run.IsVideo)
            {
                box.WriteUInt32(sample.IsKeyframe ? SyncSampleFlags : NonSyncSampleFlags);
                box.WriteInt32(sample.CompositionOffset);
            }
        }

        box.EndBox(trun);
        box.EndBox(traf);
        return dataOffsetPosition;
    }
}
