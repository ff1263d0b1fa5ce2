namespace Stagecast.Streaming.MpegTs;

/// <summary>
/// Opus audio, which the hub does not carry (its readers take AAC), turned into AAC for a publisher: the server gives
/// this the transcoder its WebRTC ingest uses. Without one, Opus in MPEG-TS is reported and skipped.
/// </summary>
public interface IOpusTranscoding
{
    IOpusAudio Start(Publisher publisher);
}

/// <summary>One publisher's Opus track on its way to AAC.</summary>
public interface IOpusAudio : IAsyncDisposable
{
    /// <summary>Adds a packet: its time in 48 kHz samples on the publisher's clock, and that instant on the stream's timeline (ms).</summary>
    void Push(ReadOnlySpan<byte> packet, long sampleTime, long streamMs);
}
