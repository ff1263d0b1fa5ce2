using System.Net;
using Microsoft.Extensions.Time.Testing;
using Stagecast.Streaming.Limits;
using Stagecast.Testing;

namespace Stagecast.Srt.Tests;

/// <summary>
/// What a hostile tester tried on the SRT port: wrong keys and passphrases by the dozen, which must keep nobody else
/// out and are slowed and logged, and terminal escape sequences in a stream id, which must not reach the log raw.
/// </summary>
public class SrtHostileCallerTests
{
    private static readonly IPEndPoint Guesser = new(IPAddress.Parse("127.0.0.2"), 0);

    [Fact]
    public async Task AWrongKeyIsClosedAtOnceAndRefusedInTheHandshakeWhenTriedAgain()
    {
        await using var srt = await SrtServerHarness.StartAsync();
        srt.Keys.Add("the-right-key", "stream-right");

        // The first try is let in while the key is checked (the callback may not wait), and closed on the answer.
        var (exitCode, _, _) = await ExternalProcess.RunAsync("ffmpeg",
            ["-hide_banner", "-loglevel", "error", .. Ffmpeg.AudioVideo(5, "320x180"), "-f", "mpegts", srt.PublishUrl("a-wrong-key")], TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, exitCode);
        Assert.Empty(srt.Hub.Streams);
        Assert.Contains(srt.Logs.Lines, l => l.Message.EndsWith("publish refused for key a-wr…(11 chars): unknown stream key", StringComparison.Ordinal));

        // The answer is remembered: the next try with that key is refused in the handshake, with the code SRT shows.
        using var again = new SrtCaller("#!::r=live/a-wrong-key,m=publish");
        Assert.Equal(1403, again.Connect(srt.Port));
        Assert.Contains(srt.Logs.Lines, l => l.Message.Contains("unknown stream key (reject code 1403)", StringComparison.Ordinal));
        await Eventually.TrueAsync(() => srt.Server.Connections == 0, "no connection left open");
        Assert.DoesNotContain(srt.Logs.Lines, l => l.Message.Contains("a-wrong-key", StringComparison.Ordinal)); // keys are redacted
    }

    /// <summary>
    /// libsrt checks the passphrase after the handshake callback, so the server learns of a wrong one when libsrt
    /// drops the caller it had let on: each is logged and counted against the address, which past its budget may try
    /// once a second. The clock is the test's: "a second later" is a step, not a wait.
    /// </summary>
    [Fact]
    public async Task PassphraseGuessesAreLoggedAndSlowedToOneASecondWhileThePassphraseGetsIn()
    {
        const string Passphrase = "the-right-passphrase";
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var srt = await SrtServerHarness.StartAsync(o => o.Passphrase = Passphrase, time: time);
        srt.Keys.Add("key-a", "stream-a").Add("key-b", "stream-b");
        const string StreamId = "#!::r=live/key-a,m=publish";
        for (int i = 0; i < FailedAttemptThrottle.MaxFailuresPerWindow; i++)
        {
            using var guess = new SrtCaller(StreamId, $"wrong-guess-{i:D3}", Guesser);
            Assert.Equal(SrtCaller.RejectBadSecret, guess.Connect(srt.Port));
        }

        await Eventually.TrueAsync(
            () => srt.Logs.Lines.Count(l => l.Message.Contains("127.0.0.2:", StringComparison.Ordinal) && l.Message.Contains("a wrong or missing passphrase", StringComparison.Ordinal))
                == FailedAttemptThrottle.MaxFailuresPerWindow,
            "each guess logged");

        using (var early = new SrtCaller(StreamId, "wrong-guess-early", Guesser))
        {
            Assert.Equal(1402, early.Connect(srt.Port)); // refused in the handshake, unchecked
        }

        Assert.Contains(srt.Logs.Lines, l => l.Message.Contains("failed handshakes from this address", StringComparison.Ordinal));
        using (var elsewhere = new SrtCaller(StreamId, Passphrase))
        {
            Assert.Equal(0, elsewhere.Connect(srt.Port)); // another address is not slowed
        }

        time.Advance(FailedAttemptThrottle.Tarpit);
        using (var sameAddress = new SrtCaller("#!::r=live/key-b,m=publish", Passphrase, Guesser))
        {
            Assert.Equal(0, sameAddress.Connect(srt.Port)); // the passphrase from the guesser's address, a second later
        }

        Assert.DoesNotContain(srt.Logs.Lines, l => l.Message.Contains("wrong-guess", StringComparison.Ordinal) || l.Message.Contains(Passphrase, StringComparison.Ordinal));
    }

    [Fact]
    public async Task EscapeSequencesInAStreamIdAreLoggedEscaped()
    {
        await using var srt = await SrtServerHarness.StartAsync();
        using var caller = new SrtCaller("#!::r=live/x,m=\u001b]0;owned\u0007\u001b[2J\u001b[31mred");
        Assert.Equal(1400, caller.Connect(srt.Port));

        Assert.Contains(srt.Logs.Lines, l => l.Message.Contains(@"mode m=\x1B]0;owned\x07\x1B[2J\x1B[31mred is not supported", StringComparison.Ordinal));
        Assert.DoesNotContain(srt.Logs.Lines, l => l.Message.Any(char.IsControl));
    }

    /// <summary>
    /// libsrt runs the handshake callback on the one thread that receives every packet of the port: a callback that
    /// waited for each slow key check (here, as for an address past its budget of refused keys, a second) let 20
    /// wrong keys a second hold up everyone's handshakes until their encoders gave up.
    /// </summary>
    [Fact]
    public async Task TwentyWrongKeysASecondKeepNoPublisherOut()
    {
        await using var srt = await SrtServerHarness.StartAsync();
        srt.Keys.UnknownKeyDelay = TimeSpan.FromSeconds(1);
        string media = Path.Combine(Directory.CreateTempSubdirectory("stagecast-srt-flood-").FullName, "h264-aac.ts");
        await File.WriteAllBytesAsync(media, TransportStreams.H264Aac);
        for (int i = 0; i < 10; i++)
        {
            srt.Keys.Add($"key-{i}", $"stream-{i}");
        }

        using var stop = new CancellationTokenSource();
        var flood = new WrongKeyFlood();
        var flooding = flood.RunAsync(srt.Port, stop.Token);
        await Eventually.TrueAsync(() => flood.Sent >= 40, "two seconds of wrong keys");

        var publishers = new List<ExternalProcess>();
        try
        {
            for (int i = 0; i < 10; i++)
            {
                publishers.Add(ExternalProcess.Start("ffmpeg",
                    ["-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", media, "-c", "copy", "-f", "mpegts", srt.PublishUrl($"key-{i}")]));
            }

            // Until every publisher is live, or one has given up (its connect timed out): then it never will be.
            var missing = await Eventually.MatchAsync(
                () => Enumerable.Range(0, 10).Where(i => srt.Hub.Find($"stream-{i}")?.IngestedDuration is not { } d || d <= TimeSpan.Zero).ToList(),
                missing => missing.Count == 0 || missing.Any(i => publishers[i].HasExited),
                "all ten publishers live while the flood goes on");
            Assert.True(missing.Count == 0, $"not live: {string.Join(", ", missing.Select(i => $"stream-{i}{(publishers[i].HasExited ? $" ({publishers[i].StandardError.Trim()})" : "")}"))}");
            Assert.False(flooding.IsCompleted, "the flood went on the whole time");
        }
        finally
        {
            await stop.CancelAsync();
            await flooding;
            foreach (var publisher in publishers)
            {
                await publisher.DisposeAsync();
            }

            File.Delete(media);
        }
    }

    /// <summary>Wrong keys from one address at 20 a second, each caller closed two seconds later; at most a minute of them.</summary>
    private sealed class WrongKeyFlood
    {
        private int _sent;

        public int Sent => Volatile.Read(ref _sent);

        public async Task RunAsync(int port, CancellationToken cancellationToken)
        {
            var open = new Queue<SrtCaller>();
            using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
            IPEndPoint? local = null;
            try
            {
                while (Sent < 1200 && await pace.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
                {
                    var caller = new SrtCaller($"#!::r=live/wrong-{Sent},m=publish", local: local ?? Guesser);
                    local ??= caller.LocalEndPoint; // the next ones share its port, as one program's callers do
                    caller.StartConnect(port);
                    open.Enqueue(caller);
                    Interlocked.Increment(ref _sent);
                    while (open.Count > 40)
                    {
                        open.Dequeue().Dispose();
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // the test is over
            }
            finally
            {
                while (open.TryDequeue(out var caller))
                {
                    caller.Dispose();
                }
            }
        }
    }
}
