using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Stagecast.Server.Hosting.Api;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Hardening;

/// <summary>
/// The connection middleware that gives Kestrel's own refusals the envelope rewrites only those: what is written while
/// a request is in the application, and anything that is not a bodiless refusal, goes out byte for byte.
/// </summary>
[Trait("Category", "InProcess")]
public sealed class KestrelRejectionsTests
{
    private const string Refusal = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\nDate: Mon, 23 Nov 2026 07:00:00 GMT\r\nServer: Kestrel\r\n\r\n";

    [Fact]
    public async Task ABodilessRefusalWrittenWhileNoRequestIsInTheApplicationGetsTheEnvelope()
    {
        string written = await WriteThroughAsync(inApplication: false, Refusal, "HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        string[] answers = written.Split("HTTP/1.1 ", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, answers.Length);
        Assert.StartsWith("400 Bad Request\r\n", answers[0]);
        Assert.Contains("\r\nConnection: close\r\nDate: Mon, 23 Nov 2026 07:00:00 GMT\r\nServer: Kestrel\r\nContent-Type: application/json", answers[0]);
        Assert.DoesNotContain("Content-Length: 0", written);
        Assert.Equal("malformed HTTP request: the request line or headers could not be parsed or are incomplete", Message(answers[0]));
        Assert.Equal("the request line and headers did not arrive within 10 s", Message(answers[1]));
    }

    [Fact]
    public async Task WhatIsWrittenWhileARequestIsInTheApplicationPassesThroughUntouched()
    {
        Assert.Equal(Refusal, await WriteThroughAsync(inApplication: true, Refusal));
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")] // not an error
    [InlineData("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")] // keeps the connection: not Kestrel's refusal
    [InlineData("HTTP/1.1 400 Bad Request\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")] // has a body
    [InlineData("\0\0\b\a\0\0\0\0\0\0\0\0\0\0\0\0\r")] // an HTTP/2 GOAWAY
    public async Task AnythingElseWrittenBetweenRequestsPassesThroughUntouched(string bytes)
    {
        Assert.Equal(bytes, await WriteThroughAsync(inApplication: false, bytes));
    }

    /// <summary>Runs the middleware over an in-memory connection whose next step writes each of <paramref name="writes"/> and flushes.</summary>
    private static async Task<string> WriteThroughAsync(bool inApplication, params string[] writes)
    {
        var rejections = new KestrelRejections(TimeSpan.FromSeconds(10));
        var pipes = new PipePair();
        var connection = new DefaultConnectionContext("test", pipes.Server, pipes.Client);
        await rejections.Middleware(async context =>
        {
            if (inApplication)
            {
                context.Features.Get<KestrelRejections.RequestsInApplication>()!.Enter();
            }

            foreach (string write in writes)
            {
                await context.Transport.Output.WriteAsync(Encoding.Latin1.GetBytes(write));
            }

            await context.Transport.Output.CompleteAsync();
        })(connection);

        var read = await pipes.Client.Input.ReadAtLeastAsync(int.MaxValue);
        return Encoding.Latin1.GetString(read.Buffer);
    }

    private static string Message(string answer)
    {
        var body = JsonDocument.Parse(answer[(answer.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]).RootElement;
        Assert.False(body.GetProperty("success").GetBoolean());
        return body.GetProperty("error").GetProperty("message").GetString()!;
    }
}
