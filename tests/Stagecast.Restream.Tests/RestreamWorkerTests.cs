using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Stagecast.Streaming;
using Stagecast.Testing;

namespace Stagecast.Restream.Tests;

/// <summary>The worker against a port where nothing listens, and against ffmpeg in listen mode.</summary>
public sealed class RestreamWorkerTests
{
    private static readonly PublisherInfo Encoder = new("test", "127.0.0.1:1");

    [Fact]
    public async Task DeadDestinationIsRetriedWithExponentialBackoff()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero));
        var hub = TestHub.Create();
        hub.TryPublish("s", Encoder, out var publisher);
        var options = new RestreamOptions { InitialBackoff = TimeSpan.FromSeconds(1), MaxBackoff = TimeSpan.FromSeconds(4) };
        await using var worker = new RestreamWorker("dead", publisher!.Stream, Destination(FreePorts.Next()), options, time, NullLogger.Instance);
        worker.Start();

        await WaitUntilAsync(() => worker.State.RetryAt is not null);
        Assert.Equal(RestreamStatus.Errored, worker.State.Status);
        Assert.StartsWith("cannot connect:", worker.State.LastError);
        Assert.Equal((1, time.GetUtcNow().AddSeconds(1)), (worker.State.Attempts, worker.State.RetryAt));

        // Waits of 1 s, then 2 s, then 4 s (capped): attempts follow the clock, not a tight loop.
        time.Advance(TimeSpan.FromSeconds(1));
        await WaitUntilAsync(() => worker.State is { Attempts: 2, RetryAt: not null });
        Assert.Equal(time.GetUtcNow().AddSeconds(2), worker.State.RetryAt);
        time.Advance(TimeSpan.FromSeconds(1.5)); // no timer is due: nothing can have run
        Assert.Equal(2, worker.State.Attempts);
        time.Advance(TimeSpan.FromSeconds(0.5));
        await WaitUntilAsync(() => worker.State is { Attempts: 3, RetryAt: not null });
        time.Advance(TimeSpan.FromSeconds(4));
        await WaitUntilAsync(() => worker.State is { Attempts: 4, RetryAt: not null });
        Assert.Equal(time.GetUtcNow().AddSeconds(4), worker.State.RetryAt); // capped at MaxBackoff
        Assert.Null(worker.State.StartedAt); // it never streamed

        await worker.StopAsync();
        Assert.Equal(RestreamStatus.Idle, worker.State.Status);
    }

    [Fact]
    public async Task StreamsToARealReceiverUntilStoppedAndCountsBytes()
    {
        var hub = TestHub.Create();
        hub.TryPublish("s", Encoder, out var publisher);
        int port = FreePorts.Next();
        string output = Path.Combine(Path.GetTempPath(), $"restream-{Guid.NewGuid()}.flv");
        await using var receiver = await Receivers.FfmpegAsync(port, "key", output);

        await using var worker = new RestreamWorker("ffmpeg", publisher!.Stream, Destination(port), new RestreamOptions(), TimeProvider.System, NullLogger.Instance);
        worker.Start();
        await WaitUntilAsync(() => worker.State.Status == RestreamStatus.Streaming);
        await RecordedMedia.ReplayAsync(publisher!, realTime: false);
        await WaitUntilAsync(() => worker.State.BytesSent > 100_000);
        await worker.StopAsync();
        Assert.Equal(RestreamStatus.Idle, worker.State.Status);
        Assert.NotNull(worker.State.EndedAt);

        await receiver.WaitForExitAsync(TimeSpan.FromSeconds(10)); // the receiver sees the connection end
        var streams = await Ffmpeg.ProbeAsync(output);
        Assert.Contains(streams, s => s is { Codec: "h264", Width: 320, Height: 240 });
        Assert.Contains(streams, s => s.Codec == "aac");
        File.Delete(output);
    }

    [Fact]
    public async Task WorkerEndsWithTheStream()
    {
        var hub = TestHub.Create();
        hub.TryPublish("s", Encoder, out var publisher);
        int port = FreePorts.Next();
        await using var receiver = await Receivers.FfmpegListenerAsync(port, "key", "-f", "null", "-");
        await using var worker = new RestreamWorker("ends", publisher!.Stream, Destination(port), new RestreamOptions(), TimeProvider.System, NullLogger.Instance);
        worker.Start();
        await WaitUntilAsync(() => worker.State.Status == RestreamStatus.Streaming);

        publisher.Unpublish();
        await worker.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(RestreamStatus.Idle, worker.State.Status);
    }

    [Fact]
    public async Task WorkerWaitingToRetryEndsWithTheStreamAtOnceAndEndsWhenTheSessionDid()
    {
        var hub = TestHub.Create();
        hub.TryPublish("s", Encoder, out var publisher);
        int port = FreePorts.Next();
        var receiver = await Receivers.FfmpegListenerAsync(port, "key", "-f", "null", "-");
        var patient = new RestreamOptions { InitialBackoff = TimeSpan.FromMinutes(1), MaxBackoff = TimeSpan.FromMinutes(1) };
        await using var worker = new RestreamWorker("late", publisher!.Stream, Destination(port), patient, TimeProvider.System, NullLogger.Instance);
        worker.Start();
        await WaitUntilAsync(() => worker.State.Status == RestreamStatus.Streaming);

        // The destination dies: the worker waits a minute to try again.
        await receiver.DisposeAsync();
        await RecordedMedia.ReplayAsync(publisher, realTime: false);
        await WaitUntilAsync(() => worker.State is { Status: RestreamStatus.Reconnecting, RetryAt: not null });

        publisher.Unpublish();
        await worker.Completion.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(RestreamStatus.Idle, worker.State.Status);
        Assert.Equal(publisher.Stream.StoppedAt, worker.State.EndedAt);
    }

    [Fact]
    public async Task DeadDestinationStopsBeingRetriedWhenTheStreamEnds()
    {
        var hub = TestHub.Create();
        hub.TryPublish("s", Encoder, out var publisher);
        var patient = new RestreamOptions { InitialBackoff = TimeSpan.FromMinutes(1), MaxBackoff = TimeSpan.FromMinutes(1) };
        await using var worker = new RestreamWorker("dead", publisher!.Stream, Destination(FreePorts.Next()), patient, TimeProvider.System, NullLogger.Instance);
        worker.Start();
        await WaitUntilAsync(() => worker.State.RetryAt is not null);

        publisher.Unpublish();
        await worker.Completion.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal((RestreamStatus.Idle, 1), (worker.State.Status, worker.State.Attempts));
        Assert.Null(worker.State.RetryAt);
    }

    [Fact]
    public async Task RtmpsReachesATlsDestinationWhoseCertificateIsTrusted()
    {
        string work = Directory.CreateTempSubdirectory("restream-tls-").FullName;
        var certificate = TestCertificate.Create(work);
        int rtmpPort = FreePorts.Next();
        int tlsPort = FreePorts.Next();
        string recordings = Path.Combine(work, "rec");
        await using var nginx = await Receivers.NginxAsync(rtmpPort, recordings, (tlsPort, certificate.CertificateFile, certificate.KeyFile));
        var hub = TestHub.Create();
        hub.TryPublish("s", Encoder, out var publisher);
        var destination = new RestreamDestination(new Uri($"rtmps://127.0.0.1:{tlsPort}/app"), "secure");

        // The system does not trust a self-signed certificate: the worker reports why it cannot connect.
        await using (var untrusting = new RestreamWorker("untrusting", publisher!.Stream, destination, new RestreamOptions(), TimeProvider.System, NullLogger.Instance))
        {
            untrusting.Start();
            await WaitUntilAsync(() => untrusting.State.RetryAt is not null);
            Assert.StartsWith("TLS failed:", untrusting.State.LastError);
        }

        // Trusting exactly this certificate, the stream arrives over TLS.
        var pinned = new RestreamOptions { CertificateValidation = (_, presented, _, _) => presented?.GetCertHashString() == certificate.Thumbprint };
        await using var worker = new RestreamWorker("tls", publisher.Stream, destination, pinned, TimeProvider.System, NullLogger.Instance);
        worker.Start();
        await WaitUntilAsync(() => worker.State.Status == RestreamStatus.Streaming);
        await RecordedMedia.ReplayAsync(publisher, realTime: false);
        await WaitUntilAsync(() => worker.State.BytesSent > 100_000);
        await worker.StopAsync();

        // nginx finishes its recording once the connection has ended.
        var recording = await Eventually.MatchAsync(() => Receivers.Recordings(recordings).SingleOrDefault(), r => r is not null, "nginx's recording");
        await Eventually.MatchAsync(async () =>
        {
            try
            {
                return await Ffmpeg.ProbeAsync(recording!);
            }
            catch (InvalidOperationException)
            {
                return []; // not written out yet
            }
        }, streams => streams.Any(s => s is { Codec: "h264", Width: 320, Height: 240 }), "a playable recording");
        Directory.Delete(work, recursive: true);
    }

    [Fact]
    public async Task DestinationThatRefusesThePublishIsReportedWithItsStatus()
    {
        // A destination that answers publish with onStatus NetStream.Publish.BadName: Stagecast's own RTMP server.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var destinationHub = TestHub.Create();
        var refusing = new TestPublishAuthorizer().Add("the-right-key", "remote");
        var serving = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            var pipe = new StreamPipe(stream);
            using var watchdog = new Stagecast.Rtmp.Sessions.RtmpSessionWatchdog(TimeProvider.System);
            var session = new Stagecast.Rtmp.Sessions.RtmpServerSession(pipe, destinationHub, refusing, new Stagecast.Rtmp.Sessions.RtmpServerOptions { App = "app" },
                TimeProvider.System, watchdog, NullLogger.Instance, "test");
            await session.RunAsync(CancellationToken.None);
            await pipe.Output.CompleteAsync();
        });

        var hub = TestHub.Create();
        hub.TryPublish("s", Encoder, out var publisher);
        await using var worker = new RestreamWorker("refused", publisher!.Stream, Destination(((IPEndPoint)listener.LocalEndpoint).Port),
            new RestreamOptions(), TimeProvider.System, NullLogger.Instance);
        worker.Start();
        await WaitUntilAsync(() => worker.State.RetryAt is not null);
        Assert.Equal("destination refused: NetStream.Publish.BadName (unknown stream key)", worker.State.LastError);
        Assert.Equal(RestreamStatus.Errored, worker.State.Status);
        await serving;
    }

    private sealed class StreamPipe(Stream stream) : System.IO.Pipelines.IDuplexPipe
    {
        public System.IO.Pipelines.PipeReader Input { get; } = System.IO.Pipelines.PipeReader.Create(stream);

        public System.IO.Pipelines.PipeWriter Output { get; } = System.IO.Pipelines.PipeWriter.Create(stream);
    }

    private static RestreamDestination Destination(int port) => new(new Uri($"rtmp://127.0.0.1:{port}/app"), "key");

    private static Task WaitUntilAsync(Func<bool> condition) => Eventually.TrueAsync(condition, "the worker's state");
}
