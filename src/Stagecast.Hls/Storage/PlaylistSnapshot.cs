namespace Stagecast.Hls.Storage;

/// <summary>
/// An immutable view of a media playlist at one moment: the rendered bytes and the positions that blocking
/// requests compare against. <see cref="Changed"/> completes when a newer snapshot replaces this one.
/// </summary>
public sealed record PlaylistSnapshot(
    byte[] Playlist,
    long LastPartMsn,
    int LastPartIndex,
    long LastPartNumber,
    long LastCompleteMsn,
    bool Ended,
    Task Changed)
{
    /// <summary>RFC 8216bis 6.2.5.2: does this playlist hold segment <paramref name="msn"/> (complete), or part <paramref name="part"/> of it, or anything later?</summary>
    public bool Satisfies(long msn, int? part) => part is { } p
        ? LastPartMsn > msn || (LastPartMsn == msn && LastPartIndex >= p)
        : LastCompleteMsn >= msn;

    /// <summary>The highest segment number a blocking request may name (RFC 8216bis 6.2.5.2: last plus two).</summary>
    public long MaxRequestableMsn => Math.Max(LastPartMsn, LastCompleteMsn) + 2;
}
