using Stagecast.Streaming.Renditions;

namespace Stagecast.Transcoding;

/// <summary>
/// Whether each encode keeps up: judged in media time, the rendition's newest frame against the source's newest, each
/// time either moves; so a rendition whose ffmpeg stalls or died falls behind as the source goes on, and one whose
/// source pauses (a publisher reconnecting) is not blamed for it.
/// </summary>
internal sealed partial class RenditionTranscoder
{
    private readonly Lock _states = new();
    private long _sourceNewest = long.MinValue;
    private long _sourceFirst = long.MinValue;
    private IReadOnlyList<RenditionStatus>? _refused;

    /// <summary>True when its encodes were refused (a quota): nothing is encoded for the stream's life.</summary>
    public bool Refused
    {
        get
        {
            lock (_states)
            {
                return _refused is not null;
            }
        }
    }

    /// <summary>The presentation time (ms) of the source's newest video frame given to the transcoder.</summary>
    private long SourceNewest => Interlocked.Read(ref _sourceNewest);

    /// <summary>The encodes and their states, highest first.</summary>
    public IReadOnlyList<RenditionStatus> Statuses()
    {
        lock (_states)
        {
            return _refused ?? [.. _outputs.Select(o => new RenditionStatus(_source.Id, o.Rendition, o.State, o.Since))];
        }
    }

    /// <summary>The source's newest video frame (called on the reading thread, the only writer).</summary>
    private void SourceAt(long ms)
    {
        if (_sourceFirst == long.MinValue)
        {
            Volatile.Write(ref _sourceFirst, ms);
        }

        Interlocked.Exchange(ref _sourceNewest, Math.Max(SourceNewest, ms));
        Judge();
    }

    /// <summary>Moves each encode to the state its newest frame says it is in, and says so.</summary>
    private void Judge()
    {
        long limit = (long)_context.Options.LagLimit.TotalMilliseconds;
        lock (_states)
        {
            foreach (var output in _outputs)
            {
                var state = output.Judge(SourceNewest, Volatile.Read(ref _sourceFirst), limit);
                if (state != output.State)
                {
                    Enter(output, state);
                }
            }
        }
    }

    /// <summary>The encodes are refused, each with why (the limit): they are shown so, and never started.</summary>
    private void Refuse(IEnumerable<Rendition> encodes, string reason)
    {
        var now = _context.Time.GetUtcNow();
        IReadOnlyList<RenditionStatus> refused = [.. encodes.Select(r => new RenditionStatus(_source.Id, r, RenditionState.Refused, now, reason))];
        lock (_states)
        {
            _refused = refused;
        }

        _context.OnRefused(refused);
    }

    /// <summary>The source ended: every encode stops and its rendition stream ends.</summary>
    private void Stop()
    {
        lock (_states)
        {
            foreach (var output in _outputs)
            {
                Enter(output, RenditionState.Stopped);
                output.Stop();
            }
        }
    }

    private void Enter(RenditionOutput output, RenditionState state)
    {
        var from = output.State;
        output.Enter(state, _context.Time.GetUtcNow());
        long behind = SourceNewest - (output.Newest == long.MinValue ? Volatile.Read(ref _sourceFirst) : output.Newest);
        _context.OnStateChanged(new RenditionStatus(_source.Id, output.Rendition, state, output.Since), from, TimeSpan.FromMilliseconds(behind));
    }
}
