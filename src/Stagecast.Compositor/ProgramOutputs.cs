using Stagecast.Compositor.Encoding;
using Stagecast.Media.Codecs;
using Stagecast.Streaming;

namespace Stagecast.Compositor;

/// <summary>
/// The program's coded media handed to every stream that carries it (a meeting livestream, the room streams' and
/// recordings' program stream). An output opens at the program's next keyframe (its stream goes live when there is a
/// picture to show, not before), gets the track configurations, then every frame, each shared by reference. Outputs
/// come and go while the program runs.
/// </summary>
public sealed class ProgramOutputs : IProgramSink
{
    private readonly Lock _sync = new();
    private readonly Dictionary<string, Output> _outputs = [];
    private VideoTrackConfig? _video;
    private AudioTrackConfig? _audio;

    /// <summary>Outputs wanted, open or waiting for a keyframe.</summary>
    public int Count
    {
        get
        {
            lock (_sync)
            {
                return _outputs.Count;
            }
        }
    }

    /// <summary>
    /// Adds an output under <paramref name="key"/>: at the next keyframe <paramref name="open"/> gives the publisher
    /// to write to (null: it could not open, and it is tried again at the following keyframe).
    /// </summary>
    public void Add(string key, Func<Publisher?> open)
    {
        lock (_sync)
        {
            _outputs.TryAdd(key, new Output(open));
        }
    }

    public bool Contains(string key)
    {
        lock (_sync)
        {
            return _outputs.ContainsKey(key);
        }
    }

    /// <summary>Removes an output; returns its publisher if it was open (the caller ends it).</summary>
    public Publisher? Remove(string key)
    {
        lock (_sync)
        {
            return _outputs.Remove(key, out var output) ? output.Publisher : null;
        }
    }

    public void OnVideoConfig(VideoTrackConfig config)
    {
        lock (_sync)
        {
            _video = config;
            foreach (var output in _outputs.Values)
            {
                output.Publisher?.SetVideoConfig(config);
            }
        }
    }

    public void OnAudioConfig(AudioTrackConfig config)
    {
        lock (_sync)
        {
            _audio = config;
            foreach (var output in _outputs.Values)
            {
                output.Publisher?.SetAudioConfig(config);
            }
        }
    }

    public void OnFrame(MediaFrame frame)
    {
        lock (_sync)
        {
            foreach (var output in _outputs.Values)
            {
                if (output.Publisher is null && !TryOpen(output, frame))
                {
                    continue;
                }

                output.Publisher!.Write(frame.Retain());
            }
        }

        frame.Release();
    }

    private bool TryOpen(Output output, MediaFrame frame)
    {
        if (frame.Kind != MediaFrameKind.Video || !frame.IsKeyframe || _video is null || _audio is null || output.Open() is not { } publisher)
        {
            return false; // each output starts at a keyframe, with both tracks configured
        }

        publisher.SetVideoConfig(_video);
        publisher.SetAudioConfig(_audio);
        output.Publisher = publisher;
        return true;
    }

    private sealed class Output(Func<Publisher?> open)
    {
        public Func<Publisher?> Open { get; } = open;

        public Publisher? Publisher { get; set; }
    }
}
