using Stagecast.Media.Hls;

namespace Stagecast.Hls.Storage;

/// <summary>One stored media segment: its playlist entry and its parts, which together are its bytes.</summary>
public sealed class HlsSegment(PlaylistSegment info)
{
    private readonly List<HlsPart> _parts = [];

    public PlaylistSegment Info { get; } = info;

    public long Msn => Info.SequenceNumber;

    public IReadOnlyList<HlsPart> Parts => _parts;

    public long Size { get; private set; }

    public void Add(HlsPart part)
    {
        _parts.Add(part);
        Info.AddPart(new Media.Hls.PlaylistPart(part.Number, part.Duration, part.Independent));
        Size += part.Buffer.Length;
    }

    public void ReleaseParts()
    {
        foreach (var part in _parts)
        {
            part.Buffer.Release();
        }
    }
}
