using System.Diagnostics;
using Stagecast.Streaming;
using Stagecast.Streaming.MpegTs;

namespace Stagecast.Testing;

/// <summary>
/// Real ffmpeg publishing into a hub in process, as an SRT encoder would: its MPEG-TS, made in real time (<c>-re</c>),
/// read from its stdout into <see cref="TsIngest"/> (H.264 or H.265, AAC). Disposing stops ffmpeg and ends the stream.
/// </summary>
public sealed class FfmpegHubSource : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TsIngest _ingest;
    private readonly Task _reading;

    private FfmpegHubSource(Publisher publisher, string[] input)
    {
        Publisher = publisher;
        _ingest = new TsIngest(publisher);
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in (string[])["-hide_banner", "-loglevel", "error", "-nostdin", "-re", .. input, "-f", "mpegts", "pipe:1"])
        {
            info.ArgumentList.Add(argument);
        }

        _process = Process.Start(info)!;
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();
        _reading = Task.Run(ReadAsync);
    }

    public Publisher Publisher { get; }

    /// <summary>Publishes ffmpeg's output of <paramref name="input"/> (e.g. <see cref="Ffmpeg.AudioVideo"/>) to a new stream of <paramref name="hub"/>.</summary>
    public static FfmpegHubSource Start(StreamHub hub, string streamId, string[] input)
    {
        hub.TryPublish(streamId, new PublisherInfo("srt", "127.0.0.1"), out var publisher);
        return new FfmpegHubSource(publisher ?? throw new InvalidOperationException($"{streamId} is already published"), input);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _reading;
        await _process.WaitForExitAsync();
        _process.Dispose();
        await _ingest.DisposeAsync();
        Publisher.Unpublish();
        Publisher.Dispose();
    }

    private async Task ReadAsync()
    {
        byte[] buffer = new byte[64 * 1024];
        var stdout = _process.StandardOutput.BaseStream;
        int read;
        while ((read = await stdout.ReadAsync(buffer)) > 0)
        {
            _ingest.Push(buffer.AsSpan(0, read));
        }
    }
}
