namespace Stagecast.Streaming;

/// <summary>What a <see cref="MediaFrame"/> carries to readers, in stream order.</summary>
public enum MediaFrameKind : byte
{
    /// <summary>One coded video access unit (AVCC/HVCC length-prefixed NAL units, or AV1 OBUs).</summary>
    Video,

    /// <summary>One coded audio access unit (raw AAC).</summary>
    Audio,

    /// <summary>A new video decoder configuration; <see cref="MediaFrame.Detail"/> is a VideoTrackConfig.</summary>
    VideoConfig,

    /// <summary>A new audio decoder configuration; <see cref="MediaFrame.Detail"/> is an AudioTrackConfig.</summary>
    AudioConfig,

    /// <summary>New stream metadata (onMetaData); <see cref="MediaFrame.Detail"/> is a StreamMetadata.</summary>
    Metadata,

    /// <summary>The publisher dropped without unpublishing; the stream waits for it to come back.</summary>
    PublisherLeft,

    /// <summary>A publisher (re)joined a stream that had lost its publisher; timestamps stay monotonic.</summary>
    PublisherResumed,

    /// <summary>The stream is over; no more frames follow.</summary>
    StreamEnded,

    /// <summary>
    /// A caption of what was said in the stream, on the server's clock (<see cref="MediaFrame.Detail"/> is a
    /// <see cref="TimedTextCue"/>): a track the server writes beside the publisher's (<see cref="HubStream.WriteTimedText"/>).
    /// A reader that carries no timed text passes it by.
    /// </summary>
    TimedText,
}
