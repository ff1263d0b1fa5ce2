using Stagecast.Media.Amf0;
using Stagecast.Media.Codecs;
using Stagecast.Media.Flv;
using Stagecast.Rtmp.Client;
using Stagecast.Streaming;

namespace Stagecast.Restream;

/// <summary>Reading the stream and sending it: sequence headers first, then media as FLV tag bodies.</summary>
public sealed partial class RestreamWorker
{
    /// <summary>Sends until the stream ends (true) or the connection fails (throws). Cancelled when stopped.</summary>
    private async Task<bool> PumpAsync(RtmpPublishClient client, CancellationToken stop)
    {
        // A fresh reader per connection starts at the newest keyframe, not at what queued while disconnected.
        using var reader = _source.AddReader(_name, new ReaderOptions
        {
            MaxQueuedBytes = _options.MaxQueuedBytes,
            MaxQueuedFrames = _options.MaxQueuedFrames,
            StartWithCachedGop = true,
        });
        using var sendTimeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        Volatile.Write(ref _client, client);
        Volatile.Write(ref _reader, reader);
        byte[] header = new byte[FlvTagHeader.MaxLength];
        VideoCodec? videoCodec = null;
        var timeline = new ConnectionTimeline();
        try
        {
            while (await reader.WaitToReadAsync(stop).ConfigureAwait(false))
            {
                while (reader.TryRead(out var frame))
                {
                    try
                    {
                        sendTimeout.CancelAfter(_options.SendTimeout);
                        var token = sendTimeout.Token;
                        switch (frame.Kind)
                        {
                            case MediaFrameKind.VideoConfig:
                                var video = (VideoTrackConfig)frame.Detail!;
                                videoCodec = video.Codec;
                                int videoLength = FlvTagHeader.WriteVideo(header, video.Codec, FlvPacketKind.SequenceStart, true, 0);
                                await client.SendVideoAsync(timeline.Of(frame), header.AsMemory(0, videoLength), video.ConfigurationRecord, token).ConfigureAwait(false);
                                break;
                            case MediaFrameKind.AudioConfig:
                                var audio = (AudioTrackConfig)frame.Detail!;
                                int audioLength = FlvTagHeader.WriteAudio(header, FlvPacketKind.SequenceStart);
                                await client.SendAudioAsync(timeline.Of(frame), header.AsMemory(0, audioLength), audio.SpecificConfig, token).ConfigureAwait(false);
                                break;
                            case MediaFrameKind.Metadata:
                                await client.SendMetadataAsync(ToAmf((StreamMetadata)frame.Detail!), token).ConfigureAwait(false);
                                break;
                            case MediaFrameKind.Video when videoCodec is { } codec:
                                int length = FlvTagHeader.WriteVideo(header, codec, FlvPacketKind.CodedFrames, frame.IsKeyframe, frame.CompositionOffset);
                                await client.SendVideoAsync(timeline.Of(frame), header.AsMemory(0, length), frame.Memory, token).ConfigureAwait(false);
                                break;
                            case MediaFrameKind.Audio:
                                int aacLength = FlvTagHeader.WriteAudio(header, FlvPacketKind.CodedFrames);
                                await client.SendAudioAsync(timeline.Of(frame), header.AsMemory(0, aacLength), frame.Memory, token).ConfigureAwait(false);
                                break;
                            case MediaFrameKind.StreamEnded:
                                return true;
                        }

                        sendTimeout.CancelAfter(Timeout.InfiniteTimeSpan);
                    }
                    catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                    {
                        throw new TimeoutException($"the destination accepted nothing for {_options.SendTimeout.TotalSeconds} s");
                    }
                    finally
                    {
                        frame.Release();
                    }
                }

                if (client.Completion.IsFaulted)
                {
                    await client.Completion.ConfigureAwait(false); // the destination closed or refused: rethrow its reason
                }
            }

            return true; // the reader completed: the stream ended
        }
        finally
        {
            // Fold this connection's counters into the totals. Detaching first means a concurrent State read may
            // count low for an instant, never twice.
            Volatile.Write(ref _client, null);
            Volatile.Write(ref _reader, null);
            Interlocked.Add(ref _bytesSentBefore, client.BytesSent);
            Interlocked.Add(ref _droppedBefore, reader.DroppedFrames);
        }
    }

    /// <summary>
    /// Each connection's timeline starts at zero at its first media frame; configuration and metadata carry the
    /// last timestamp sent, so the destination never sees time go back.
    /// </summary>
    private sealed class ConnectionTimeline
    {
        private long? _base;
        private uint _last;

        public uint Of(MediaFrame frame)
        {
            if (frame.IsMedia)
            {
                _base ??= frame.Timestamp;
                _last = (uint)Math.Max(_last, Math.Max(0, frame.Timestamp - _base.Value));
                return (uint)Math.Max(0, frame.Timestamp - _base.Value);
            }

            return _last;
        }
    }

    private static AmfObject ToAmf(StreamMetadata metadata)
    {
        var values = new AmfObject(isEcmaArray: true);
        if (metadata.Width is { } width)
        {
            values["width"] = (double)width;
        }

        if (metadata.Height is { } height)
        {
            values["height"] = (double)height;
        }

        if (metadata.FrameRate is { } frameRate)
        {
            values["framerate"] = frameRate;
        }

        if (metadata.VideoKilobitsPerSecond is { } video)
        {
            values["videodatarate"] = video;
        }

        if (metadata.AudioKilobitsPerSecond is { } audio)
        {
            values["audiodatarate"] = audio;
        }

        values["encoder"] = "Stagecast";
        return values;
    }
}
