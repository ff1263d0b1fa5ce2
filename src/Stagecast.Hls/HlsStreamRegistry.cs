using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Stagecast.Hls.Storage;

namespace Stagecast.Hls;

/// <summary>The HLS output of each stream id: the current broadcast, or the last one for a while after it ended.</summary>
public sealed class HlsStreamRegistry
{
    private readonly ConcurrentDictionary<string, HlsStream> _streams = new(StringComparer.Ordinal);

    public bool TryGet(string streamId, [NotNullWhen(true)] out HlsStream? stream) => _streams.TryGetValue(streamId, out stream);

    public IEnumerable<HlsStream> All => _streams.Values;

    /// <summary>Makes <paramref name="stream"/> the current output of its id; an earlier one is dropped.</summary>
    public void Set(HlsStream stream)
    {
        HlsStream? previous = null;
        _streams.AddOrUpdate(stream.StreamId, stream, (_, old) =>
        {
            previous = old;
            return stream;
        });
        previous?.Dispose();
    }

    /// <summary>Drops <paramref name="stream"/> if it is still the current output of its id.</summary>
    public void Remove(HlsStream stream)
    {
        if (_streams.TryRemove(new KeyValuePair<string, HlsStream>(stream.StreamId, stream)))
        {
            stream.Dispose();
        }
    }
}
