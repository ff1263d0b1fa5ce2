namespace Stagecast.Media.Fmp4;

/// <summary>
/// Writes a progressive track's sample tables (ISO/IEC 14496-12 8.6 and 8.7) after its stsd: decode times (stts),
/// composition offsets (ctts, when any), sync samples (stss, unless every sample is one), samples per chunk (stsc),
/// sizes (stsz) and chunk offsets (stco, or co64 past 4 GiB). Runs of equal values are written once.
/// </summary>
public static class SampleTableWriter
{
    public static void Write(BoxBuffer box, IReadOnlyList<FragmentSample> samples, IReadOnlyList<(long Offset, int SampleCount)> chunks, bool largeOffsets)
    {
        WriteRuns(box, BoxTypes.Stts, 0, samples, s => (int)s.Duration);
        bool anyOffset = false;
        bool negative = false;
        bool allSync = true;
        foreach (var sample in samples)
        {
            anyOffset |= sample.CompositionOffset != 0;
            negative |= sample.CompositionOffset < 0;
            allSync &= sample.IsKeyframe;
        }

        if (anyOffset)
        {
            WriteRuns(box, BoxTypes.Ctts, negative ? (byte)1 : (byte)0, samples, s => s.CompositionOffset);
        }

        if (!allSync)
        {
            WriteSyncSamples(box, samples);
        }

        WriteSamplesPerChunk(box, chunks);
        WriteSizes(box, samples);
        int offsets = box.StartFullBox(largeOffsets ? BoxTypes.Co64 : BoxTypes.Stco, 0, 0);
        box.WriteUInt32((uint)chunks.Count);
        foreach (var (offset, _) in chunks)
        {
            if (largeOffsets)
            {
                box.WriteUInt64((ulong)offset);
            }
            else
            {
                box.WriteUInt32(checked((uint)offset));
            }
        }

        box.EndBox(offsets);
    }

    /// <summary>stts or ctts: (sample_count, value) for each run of samples with the same value.</summary>
    private static void WriteRuns(BoxBuffer box, uint type, byte version, IReadOnlyList<FragmentSample> samples, Func<FragmentSample, int> value)
    {
        int start = box.StartFullBox(type, version, 0);
        int countAt = box.Length;
        box.WriteUInt32(0);
        uint entries = 0;
        int i = 0;
        while (i < samples.Count)
        {
            int current = value(samples[i]);
            int run = 1;
            while (i + run < samples.Count && value(samples[i + run]) == current)
            {
                run++;
            }

            box.WriteUInt32((uint)run);
            box.WriteInt32(current);
            entries++;
            i += run;
        }

        box.PatchUInt32(countAt, entries);
        box.EndBox(start);
    }

    private static void WriteSyncSamples(BoxBuffer box, IReadOnlyList<FragmentSample> samples)
    {
        int stss = box.StartFullBox(BoxTypes.Stss, 0, 0);
        int countAt = box.Length;
        box.WriteUInt32(0);
        uint entries = 0;
        for (int i = 0; i < samples.Count; i++)
        {
            if (samples[i].IsKeyframe)
            {
                box.WriteUInt32((uint)(i + 1));
                entries++;
            }
        }

        box.PatchUInt32(countAt, entries);
        box.EndBox(stss);
    }

    /// <summary>stsc: (first_chunk, samples_per_chunk, sample_description_index) where the samples per chunk change.</summary>
    private static void WriteSamplesPerChunk(BoxBuffer box, IReadOnlyList<(long Offset, int SampleCount)> chunks)
    {
        int stsc = box.StartFullBox(BoxTypes.Stsc, 0, 0);
        int countAt = box.Length;
        box.WriteUInt32(0);
        uint entries = 0;
        for (int i = 0; i < chunks.Count; i++)
        {
            if (i == 0 || chunks[i].SampleCount != chunks[i - 1].SampleCount)
            {
                box.WriteUInt32((uint)(i + 1));
                box.WriteUInt32((uint)chunks[i].SampleCount);
                box.WriteUInt32(1);
                entries++;
            }
        }

        box.PatchUInt32(countAt, entries);
        box.EndBox(stsc);
    }

    private static void WriteSizes(BoxBuffer box, IReadOnlyList<FragmentSample> samples)
    {
        int stsz = box.StartFullBox(BoxTypes.Stsz, 0, 0);
        bool same = samples.Count > 0;
        foreach (var sample in samples)
        {
            same &= sample.Size == samples[0].Size;
        }

        box.WriteUInt32(same ? (uint)samples[0].Size : 0);
        box.WriteUInt32((uint)samples.Count);
        if (!same)
        {
            foreach (var sample in samples)
            {
                box.WriteUInt32((uint)sample.Size);
            }
        }

        box.EndBox(stsz);
    }
}
