using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Stagecast.FfmpegProcesses;
using Stagecast.Streaming;
using Stagecast.Streaming.Renditions;
using Stagecast.Testing;
using Stagecast.Transcoding.Encoders;

namespace Stagecast.Transcoding.Tests;

/// <summary>
/// The transcoders as the server composes them, in process: a hub whose observer they are, the rendition hub they
/// publish into, a fixed ladder, real ffmpeg; and a source, real ffmpeg publishing into the hub in real time.
/// </summary>
internal sealed class TranscodingHarness : IAsyncDisposable
{
    public const string StreamId = "live-1";

    private readonly List<RenditionStatus> _changes = [];
    private readonly ConcurrentDictionary<string, FrameLog> _fromStart = new(StringComparer.Ordinal);
    private readonly LoggerFactory _loggers;

    public TranscodingHarness(string[] ladder, TimeSpan? lagLimit = null)
    {
        _loggers = new LoggerFactory([Logs]);
        Renditions = new RenditionHub(TimeProvider.System, NullLogger<StreamHub>.Instance, [new LogFromStart(_fromStart)]);
        Ffmpeg = new FfmpegLauncher("ffmpeg", TimeProvider.System);
        var options = Options.Create(new TranscodeOptions { LagLimit = lagLimit ?? new TranscodeOptions().LagLimit });
        Transcoders = new RenditionTranscoders(Renditions, new FixedLadders(ladder), new EncoderProbe(Ffmpeg, options, NullLogger<EncoderProbe>.Instance),
            new RenditionQuota(options), Ffmpeg,
            options, TimeProvider.System, new Logger<RenditionTranscoders>(_loggers));
        Transcoders.Changed += status =>
        {
            lock (_changes)
            {
                _changes.Add(status);
            }
        };
        Hub = TestHub.Create(observers: Transcoders);
    }

    public StreamHub Hub { get; }

    /// <summary>What the transcoders logged.</summary>
    public CapturedLogs Logs { get; } = new();

    public RenditionHub Renditions { get; }

    public FfmpegLauncher Ffmpeg { get; }

    public RenditionTranscoders Transcoders { get; }

    /// <summary>Every change of state announced, in order.</summary>
    public IReadOnlyList<RenditionStatus> Changes
    {
        get
        {
            lock (_changes)
            {
                return [.. _changes];
            }
        }
    }

    /// <summary>Starts the source and a log of what its readers get, from its first frame.</summary>
    public (FfmpegHubSource Source, FrameLog Log) Publish(string[] input)
    {
        var source = FfmpegHubSource.Start(Hub, StreamId, input);
        var log = new FrameLog();
        source.Publisher.Stream.AddSink("test", log);
        return (source, log);
    }

    /// <summary>Waits for a rendition's stream and logs what its readers get (from its newest keyframe).</summary>
    public async Task<(HubStream Stream, FrameLog Log)> RenditionAsync(string name)
    {
        var stream = await Eventually.MatchAsync(() => Renditions.Hub.Find(RenditionHub.StreamId(StreamId, RenditionLadder.Find(name)!)), s => s is not null,
            $"rendition {name} published");
        var log = new FrameLog();
        stream!.AddSink("test", log);
        return (stream, log);
    }

    /// <summary>What a rendition's readers got from the moment its stream started, as the HLS packager sees it.</summary>
    public FrameLog FromStart(string name) => _fromStart[RenditionHub.StreamId(StreamId, RenditionLadder.Find(name)!)];

    public RenditionState StateOf(string name) => Transcoders.Of(StreamId).Single(s => s.Rendition.Name == name).State;

    public async ValueTask DisposeAsync()
    {
        await Transcoders.DisposeAsync();
        Ffmpeg.Dispose();
        _loggers.Dispose();
    }

    /// <summary>Logs each rendition stream from its start, before any frame (as the packager's observer does).</summary>
    private sealed class LogFromStart(ConcurrentDictionary<string, FrameLog> logs) : IRenditionObserver
    {
        public void OnStreamStarted(HubStream stream) => stream.AddSink("from-start", logs.GetOrAdd(stream.Id, _ => new FrameLog()));
    }
}
