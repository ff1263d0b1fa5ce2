using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.Server.Hosting.Api;

using Stagecast.Testing;

namespace Stagecast.Server.Tests.Hardening;

/// <summary>HTTP clients that hold connections: header trickling meets a deadline, and connections are capped per address.</summary>
public sealed class HttpConnectionTests
{
    [Fact]
    public async Task AClientTricklingItsHeadersIsClosedAtTheDeadline()
    {
        await using var server = (await ServerFixture.StartAsync(["--set", "Stagecast:Http:RequestHeadersTimeout=00:00:02"])).AsAsyncDisposable(out var fixture);
        var endpoint = new Uri(fixture.HttpBase);
        using var client = new TcpClient();
        await client.ConnectAsync(endpoint.Host, endpoint.Port);
        var stream = client.GetStream();
        await stream.WriteAsync("GET /healthz HTTP/1.1\r\nHost: x\r\n"u8.ToArray());
        var started = DateTime.UtcNow;
        var answer = ReadUntilClosedAsync(stream);
        while (!answer.IsCompleted && DateTime.UtcNow - started < TimeSpan.FromSeconds(10))
        {
            try
            {
                await stream.WriteAsync("X-Slow: y\r\n"u8.ToArray());
            }
            catch (IOException)
            {
                break;
            }

            await Task.WhenAny(answer, Task.Delay(300)); // the attack is time: a header line every 300 ms
        }

        Assert.True(answer.IsCompleted, "a client trickling headers was still connected after 10 s"); // Kestrel's default would be 30 s
        string timedOut = await answer; // Kestrel's own answer, given the envelope on its way out
        Assert.StartsWith("HTTP/1.1 408", timedOut);
        Assert.Contains("Content-Type: application/json", timedOut);
        Assert.Contains("\"message\":\"the request line and headers did not arrive within 2 s\"", timedOut);

        // A request sent promptly on a new connection is answered as ever.
        Assert.Equal(HttpStatusCode.OK, (await fixture.Http.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task ConnectionsPastThePerAddressCapAre503sWithTheEnvelopeAndTheCapFreesUp()
    {
        const int cap = 6;
        await using var server = (await ServerFixture.StartAsync(["--set", $"Stagecast:Http:MaxConnectionsPerAddress={cap}"])).AsAsyncDisposable(out var fixture);
        var limits = fixture.App.Services.GetRequiredService<HttpConnectionLimits>();
        var endpoint = new Uri(fixture.HttpBase);
        var held = new List<TcpClient>();
        string? refusal = null;
        try
        {
            // Each connection asks once and stays open (keep-alive); the fixture's own client may hold some too.
            for (int i = 0; i <= cap && refusal is null; i++)
            {
                var client = new TcpClient();
                await client.ConnectAsync(endpoint.Host, endpoint.Port);
                held.Add(client);
                string answer = await AskAsync(client.GetStream());
                if (answer.StartsWith("HTTP/1.1 503", StringComparison.Ordinal))
                {
                    refusal = answer + await ReadUntilClosedAsync(client.GetStream()); // the server closes after its answer
                }
                else
                {
                    Assert.StartsWith("HTTP/1.1 200", answer);
                }
            }

            Assert.NotNull(refusal);
            Assert.Contains("Retry-After: 5", refusal);
            Assert.Contains($"\"message\":\"{cap} HTTP connections from this address are open already\"", refusal);
            Assert.Contains("\"success\":false", refusal);
            Assert.True(limits.RefusedConnections >= 1);
            Assert.True(limits.Connections <= cap);
        }
        finally
        {
            foreach (var client in held)
            {
                client.Dispose();
            }
        }

        // Closed connections are given back: a new one is served.
        await Eventually.TrueAsync(() => limits.Connections < cap, "the closed connections to be given back");

        Assert.Equal(System.Net.HttpStatusCode.OK, (await fixture.Http.GetAsync("/healthz")).StatusCode);
        string metrics = await fixture.MetricsAsync();
        Assert.Matches(@"stagecast_http_connections_refused_total [1-9]", metrics);
        Assert.Matches(@"stagecast_http_connections \d+", metrics); // the scrape's own connection is the metrics listener's, not counted
    }

    private static async Task<string> AskAsync(NetworkStream stream)
    {
        await stream.WriteAsync("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        int read = await stream.ReadAsync(buffer, timeout.Token);
        return Encoding.ASCII.GetString(buffer, 0, read);
    }

    /// <summary>Everything the server sends until it closes the connection.</summary>
    private static async Task<string> ReadUntilClosedAsync(NetworkStream stream)
    {
        var text = new StringBuilder();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                text.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
        }
        catch (IOException)
        {
            // Reset: closed all the same.
        }

        return text.ToString();
    }
}
