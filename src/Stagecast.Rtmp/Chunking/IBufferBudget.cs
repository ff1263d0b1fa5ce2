namespace Stagecast.Rtmp.Chunking;

/// <summary>A budget of bytes shared by many <see cref="ChunkReader"/>s (the server's, across its connections).</summary>
public interface IBufferBudget
{
    bool TryBuffer(long bytes);

    void Unbuffer(long bytes);

    /// <summary>Counts a connection closed for exceeding its own limit.</summary>
    void CountClosedForBuffers();
}
