using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Playwright;
using Stagecast.Testing;

namespace Stagecast.Bench;

/// <summary>
/// Glass to glass as a viewer sees it: a source draws the wall clock into every picture as two rows of black and
/// white blocks (24 bits of milliseconds, then their complement as a check), ffmpeg encodes it as a live encoder
/// would (x264 zerolatency, no B-frames) and publishes over RTMP; headless Chromium plays it on the watch page
/// (hls.js over LL-HLS) and on a WHEP page, reads the blocks back from each frame it presents
/// (requestVideoFrameCallback, drawn to a canvas) and takes the delay against its own clock at the frame's display
/// time. Source and browser run on one machine, so they share the clock.
/// </summary>
public sealed class GlassToGlassScenario(string repository, HttpClient http)
{
    private const int Width = 320;
    private const int Height = 180;
    private const int Bits = 24;
    private const int BlockWidth = 13;
    private const int FirstBlock = 4;
    private const int Modulus = 1 << Bits;

    /// <summary>The page script: decodes each presented frame's stamp into window.g2g (delays in ms).</summary>
    private static readonly string Reader = $$"""
        () => {
          const video = document.getElementById('video');
          const canvas = document.createElement('canvas');
          canvas.width = {{Width}}; canvas.height = {{Height}};
          const context = canvas.getContext('2d', { willReadFrequently: true });
          window.g2g = [];
          window.g2gStalls = 0;
          window.g2gSeeks = 0;
          video.addEventListener('waiting', () => window.g2gStalls++);
          video.addEventListener('seeking', () => window.g2gSeeks++);
          const decode = (pixels, y) => {
            let value = 0;
            for (let bit = 0; bit < {{Bits}}; bit++) {
              const x = {{FirstBlock}} + bit * {{BlockWidth}} + {{BlockWidth / 2}};
              let sum = 0;
              for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) sum += pixels[((y + dy) * {{Width}} + x + dx) * 4];
              value = value * 2 + (sum / 25 > 128 ? 1 : 0);
            }
            return value;
          };
          const onFrame = (now, frame) => {
            if (video.videoWidth > 0) {
              context.drawImage(video, 0, 0, {{Width}}, {{Height}});
              const pixels = context.getImageData(0, 0, {{Width}}, {{Height}}).data;
              const stamp = decode(pixels, 30);
              if ((stamp ^ decode(pixels, 100)) === {{Modulus - 1}}) {
                const shown = Math.round(Date.now() + frame.expectedDisplayTime - performance.now()) % {{Modulus}};
                const delay = (shown - stamp + {{Modulus}}) % {{Modulus}};
                window.g2g.push(delay > {{Modulus / 2}} ? delay - {{Modulus}} : delay); // a few ms early: the two clocks' offset
              }
            }
            video.requestVideoFrameCallback(onFrame);
          };
          video.requestVideoFrameCallback(onFrame);
        }
        """;

    public async Task<string> RunAsync(TimeSpan warmup, TimeSpan window)
    {
        await using var server = new StagecastServer(repository, http);
        await server.StartAsync();
        var slot = (await server.CreateStreamsAsync(1))[0];
        using var stop = new CancellationTokenSource();
        using var encoder = StartEncoder($"rtmp://127.0.0.1:{server.RtmpPort}/live/{slot.Key}");
        var source = Task.Run(() => DrawAsync(encoder, stop.Token));
        try
        {
            await using var browser = await Browser.LaunchAsync(Browser.WebRtcArgs);
            string baseUrl = $"http://127.0.0.1:{server.HttpPort}/{slot.Id}";
            await WaitForLiveAsync(slot.PlaybackUrl);

            var report = new StringBuilder();
            report.AppendLine("| player | frames read | glass to glass p50 | p95 | min / max | waiting events | seeks |");
            report.AppendLine("|---|---|---|---|---|---|---|");
            var watch = await browser.OpenUrlAsync($"http://127.0.0.1:{server.HttpPort}/watch/{slot.Id}", 640, 480);
            report.AppendLine(await MeasureAsync(watch, "watch page (hls.js, LL-HLS)", warmup, window));
            await watch.CloseAsync();

            var whep = await browser.OpenAsync("webrtc.html");
            await whep.EvaluateAsync("url => whepPlay(url)", $"{baseUrl}/whep");
            report.AppendLine(await MeasureAsync(whep, "WHEP (Chromium's WebRTC)", warmup, window));
            await whep.EvaluateAsync("() => end()");
            return report.ToString();
        }
        finally
        {
            await stop.CancelAsync();
            await source;
            encoder.Kill();
        }
    }

    private static async Task<string> MeasureAsync(IPage page, string player, TimeSpan warmup, TimeSpan window)
    {
        await page.EvaluateAsync(Reader);
        await page.WaitForFunctionAsync("() => window.g2g.length > 0", null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        await Task.Delay(warmup);
        await page.EvaluateAsync("() => { window.g2g = []; window.g2gStalls = 0; window.g2gSeeks = 0; }");
        await Task.Delay(window);
        var delays = (await page.EvaluateAsync<double[]>("() => window.g2g")).Order().ToList();
        int stalls = await page.EvaluateAsync<int>("() => window.g2gStalls");
        int seeks = await page.EvaluateAsync<int>("() => window.g2gSeeks");
        string line = delays.Count == 0
            ? $"| {player} | 0 | – | – | – | {stalls} | {seeks} |"
            : string.Create(CultureInfo.InvariantCulture,
                $"| {player} | {delays.Count} | {Scenarios.Percentile(delays, 50):F0} ms | {Scenarios.Percentile(delays, 95):F0} ms | {delays[0]:F0} / {delays[^1]:F0} ms | {stalls} | {seeks} |");
        Console.WriteLine($"  {line}");
        return line;
    }

    private async Task WaitForLiveAsync(string playbackUrl)
    {
        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 30);
        while (!(await http.GetAsync(playbackUrl)).IsSuccessStatusCode)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"{playbackUrl} did not go live");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>ffmpeg as a live encoder: raw 320x180 frames on stdin at 30 fps, H.264 zerolatency, FLV over RTMP.</summary>
    private static Process StartEncoder(string url)
    {
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardInput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[]
        {
            "-hide_banner", "-v", "error", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", $"{Width}x{Height}", "-framerate", "30", "-i", "pipe:0",
            "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "30", "-bf", "0", "-b:v", "800k", "-f", "flv", url,
        })
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info)!;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine($"  [ffmpeg] {e.Data}");
            }
        };
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Draws a frame every 1/30 s, stamped with the wall clock when it is drawn (the moment of capture).</summary>
    private static async Task DrawAsync(Process encoder, CancellationToken stop)
    {
        var frame = new byte[Width * Height * 3 / 2];
        frame.AsSpan(Width * Height).Fill(128); // no colour
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / 30));
        var input = encoder.StandardInput.BaseStream;
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                int stamp = (int)(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() % Modulus);
                frame.AsSpan(0, Width * Height).Fill(64);
                DrawRow(frame, 10, stamp);
                DrawRow(frame, 80, ~stamp & (Modulus - 1));
                await input.WriteAsync(frame, stop);
                await input.FlushAsync(stop);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
            // the encoder went away
        }
    }

    private static void DrawRow(byte[] frame, int top, int value)
    {
        for (int bit = 0; bit < Bits; bit++)
        {
            byte luma = ((value >> (Bits - 1 - bit)) & 1) == 1 ? (byte)235 : (byte)16;
            int x = FirstBlock + (bit * BlockWidth);
            for (int y = top; y < top + 40; y++)
            {
                frame.AsSpan((y * Width) + x, BlockWidth).Fill(luma);
            }
        }
    }
}
