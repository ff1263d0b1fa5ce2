using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Stagecast.Transport.Epoll;

namespace Stagecast.Server.Hosting.Api;

/// <summary>
/// Gives the error envelope to the answers Kestrel writes itself, before any request reaches the application: a
/// request line or headers it cannot parse or that are incomplete (400), headers that miss the deadline (408), an
/// unsupported HTTP version (505). Kestrel offers no hook for their bodies, so a connection middleware
/// watches what is written on the connection while no request is in the application (<see cref="MarkRequests"/>):
/// a bodiless 4xx/5xx that closes the connection is Kestrel's rejection, and is rewritten with the envelope.
/// Everything written while a request is in the application passes straight through.
/// </summary>
public sealed class KestrelRejections(TimeSpan requestHeadersTimeout)
{
    /// <summary>Wraps the connection's output (install after the connection caps).</summary>
    public ConnectionDelegate Middleware(ConnectionDelegate next) => connection =>
    {
        var requests = new RequestsInApplication();
        connection.Features.Set(requests);
        connection.Transport = new DuplexPipe(connection.Transport.Input, new RejectionWriter(connection.Transport.Output, requests, this));
        return next(connection);
    };

    /// <summary>Application middleware, first in the pipeline: counts the connection's requests in the application.</summary>
    public static WebApplication MarkRequests(WebApplication app)
    {
        app.Use((context, next) =>
        {
            if (context.Features.Get<RequestsInApplication>() is { } requests)
            {
                requests.Enter();
                context.Response.OnCompleted(static state =>
                {
                    ((RequestsInApplication)state).Leave();
                    return Task.CompletedTask;
                }, requests);
            }

            return next(context);
        });
        return app;
    }

    /// <summary>The envelope for what Kestrel refused; null when <paramref name="written"/> is not such a refusal.</summary>
    internal byte[]? Rewrite(ReadOnlySpan<byte> written)
    {
        // "HTTP/1.1 400 Bad Request\r\n...Content-Length: 0\r\n...Connection: close\r\n...\r\n" and nothing after it.
        if (!written.StartsWith("HTTP/1."u8) || written.Length > 1024 || !written.EndsWith("\r\n\r\n"u8)
            || written.IndexOf("\r\nContent-Length: 0\r\n"u8) < 0 || written.IndexOf("\r\nConnection: close\r\n"u8) < 0
            || !Utf8Parser.TryParse(written.Slice(9, 3), out int status, out _) || status < 400)
        {
            return null;
        }

        string head = Encoding.ASCII.GetString(written[..^2]).Replace("Content-Length: 0\r\n", "", StringComparison.Ordinal);
        return ApiResults.RawErrorResponse(head, status, Message(status));
    }

    private string Message(int status) => status switch
    {
        400 => "malformed HTTP request: the request line or headers could not be parsed or are incomplete",
        408 => $"the request line and headers did not arrive within {requestHeadersTimeout.TotalSeconds:0.#} s",
        414 => HttpErrors.RequestLineTooLong,
        431 => HttpErrors.RequestHeadersTooLarge,
        505 => "HTTP version not supported: use HTTP/1.1 or HTTP/2",
        _ => HttpErrors.ReasonPhrase(status),
    };

    /// <summary>How many of a connection's requests are in the application (HTTP/2 may have several).</summary>
    internal sealed class RequestsInApplication
    {
        private int _count;

        public bool Any => Volatile.Read(ref _count) > 0;

        public void Enter() => Interlocked.Increment(ref _count);

        public void Leave() => Interlocked.Decrement(ref _count);
    }

    /// <summary>
    /// Passes writes through while a request is in the application; otherwise holds them until the flush, when a
    /// Kestrel rejection is rewritten and anything else is passed on unchanged.
    /// </summary>
    private sealed class RejectionWriter(PipeWriter inner, RequestsInApplication requests, KestrelRejections rejections) : PipeWriter
    {
        private const int MaxHeld = 4096;
        private readonly ArrayBufferWriter<byte> _held = new(256);
        private bool _holding;

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes + _held.WrittenCount;

        public override Memory<byte> GetMemory(int sizeHint = 0) => Hold() ? _held.GetMemory(sizeHint) : inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => Hold() ? _held.GetSpan(sizeHint) : inner.GetSpan(sizeHint);

        public override void Advance(int bytes)
        {
            if (!_holding)
            {
                inner.Advance(bytes);
                return;
            }

            _held.Advance(bytes);
            if (_held.WrittenCount > MaxHeld)
            {
                PassOn(rewrite: false); // far longer than any rejection
            }
        }

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            PassOn(rewrite: true);
            return inner.FlushAsync(cancellationToken);
        }

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null)
        {
            PassOn(rewrite: exception is null);
            inner.Complete(exception);
        }

        public override async ValueTask CompleteAsync(Exception? exception = null)
        {
            PassOn(rewrite: exception is null);
            await inner.CompleteAsync(exception).ConfigureAwait(false);
        }

        /// <summary>Decides where the next write goes; bytes held from before a request entered go first.</summary>
        private bool Hold()
        {
            _holding = !requests.Any;
            if (!_holding && _held.WrittenCount > 0)
            {
                PassOn(rewrite: false);
            }

            return _holding;
        }

        private void PassOn(bool rewrite)
        {
            if (_held.WrittenCount == 0)
            {
                return;
            }

            var written = _held.WrittenSpan;
            inner.Write(rewrite && rejections.Rewrite(written) is { } envelope ? envelope : written);
            _held.ResetWrittenCount();
        }
    }
}
