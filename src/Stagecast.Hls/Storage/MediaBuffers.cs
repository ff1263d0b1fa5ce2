namespace Stagecast.Hls.Storage;

/// <summary>The buffers of a part or segment, each with a reference taken, and the media span they hold.</summary>
public sealed record MediaBuffers(PartBuffer[] Buffers, double MediaStart, double MediaEnd)
{
    public long Length => Buffers.Sum(b => (long)b.Length);

    public void Release()
    {
        foreach (var buffer in Buffers)
        {
            buffer.Release();
        }
    }
}
