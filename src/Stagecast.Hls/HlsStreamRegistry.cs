using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Stagecast.Hls.Storage;
using Stagecast.Media;
using Stagecast.Streaming;

namespace Stagecast.Hls;

/// <summary>The HLS output of each stream id: the current broadcast, or the last one for a while after it ended.</summary>
public sealed class HlsStreamRegistry
{
    private readonly ConcurrentDictionary<string, Entry> _streams = new(StringComparer.Ordinal);

    public bool TryGet(string streamId, [NotNullWhen(true)] out HlsStream? stream)
    {
        stream = _streams.TryGetValue(streamId, out var entry) ? entry.Output : null;
        return stream is not null;
    }

    /// <summary>The output made from exactly this live stream (not a later broadcast of the same id).</summary>
    public bool TryGet(HubStream source, [NotNullWhen(true)] out HlsStream? stream)
    {
        stream = _streams.TryGetValue(source.Id, out var entry) && ReferenceEquals(entry.Source, source) ? entry.Output : null;
        return stream is not null;
    }

    public IEnumerable<HlsStream> All => _streams.Values.Select(e => e.Output);

    /// <summary>Makes <paramref name="output"/> the current output of its id; an earlier one is dropped.</summary>
    public void Set(HlsStream output, HubStream? source = null)
    {
        Entry? previous = null;
        var entry = new Entry(output, source);
        _streams.AddOrUpdate(output.StreamId, entry, (_, old) =>
        {
            previous = old;
            return entry;
        });
        previous?.Output.Dispose();
    }

    /// <summary>
    /// Drops <paramref name="output"/> if it is still the current output of its id. With it the last window of media
    /// goes, and the memory the streams used goes back to the system.
    /// </summary>
    public void Remove(HlsStream output)
    {
        if (_streams.TryGetValue(output.StreamId, out var entry) && entry.Output == output
            && _streams.TryRemove(new KeyValuePair<string, Entry>(output.StreamId, entry)))
        {
            output.Dispose();
            if (_streams.IsEmpty)
            {
                MediaBufferPool.Shared.ReturnToSystem();
            }
        }
    }

    private sealed record Entry(HlsStream Output, HubStream? Source);
}
