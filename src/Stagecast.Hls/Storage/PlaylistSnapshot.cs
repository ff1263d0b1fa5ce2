namespace Stagecast.Hls.Storage;

/// <summary>
/// An immutable view of a media playlist at one moment: the positions that blocking requests compare against, and
/// the rendered bytes. <see cref="Changed"/> completes when a newer snapshot replaces this one.
/// </summary>
public sealed record PlaylistSnapshot(
    long LastPartMsn,
    int LastPartIndex,
    long LastPartNumber,
    long LastCompleteMsn,
    bool Ended,
    Task Changed)
{
    private byte[]? _playlist;

    /// <summary>The stream that renders this snapshot's playlist when it is first asked for.</summary>
    internal HlsStream? Source { get; init; }

    /// <summary>
    /// The playlist, rendered by the first request that needs it rather than at every part: a stream nobody
    /// watches never renders one. A snapshot replaced before anyone asked serves the newer playlist, which
    /// satisfies whatever it did.
    /// </summary>
    public byte[] Playlist => Volatile.Read(ref _playlist) ?? Source?.Render(this) ?? [];

    internal byte[]? Rendered
    {
        get => Volatile.Read(ref _playlist);
        set => Volatile.Write(ref _playlist, value);
    }

    /// <summary>The subtitles playlist of the same moment, once asked for (a stream carrying timed text).</summary>
    internal byte[]? SubtitlesRendered { get; set; }

    /// <summary>RFC 8216bis 6.2.5.2: does this playlist hold segment <paramref name="msn"/> (complete), or part <paramref name="part"/> of it, or anything later?</summary>
    public bool Satisfies(long msn, int? part) => part is { } p
        ? LastPartMsn > msn || (LastPartMsn == msn && LastPartIndex >= p)
        : LastCompleteMsn >= msn;

    /// <summary>The highest segment number a blocking request may name (RFC 8216bis 6.2.5.2: last plus two).</summary>
    public long MaxRequestableMsn => Math.Max(LastPartMsn, LastCompleteMsn) + 2;
}
