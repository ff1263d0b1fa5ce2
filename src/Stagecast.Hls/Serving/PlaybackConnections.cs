using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.Hls.Storage;
using Stagecast.Transport.Epoll;

namespace Stagecast.Hls.Serving;

/// <summary>
/// Answers a player's plain playback requests on its connection, ahead of Kestrel's HTTP layer, and sends each
/// answer with one <c>sendmsg</c> straight from the part's pooled buffer, or, for a part more than one player asks
/// for, with <c>sendfile</c> from its memory file (<see cref="FileSender"/>): Kestrel can only send bytes it owns, and
/// copying every part into its output pipe in 4 KiB blocks was a fifth of the server's CPU with 2,000 players
/// (bench/README.md, "LL-HLS viewers of one stream"). The answers are <see cref="HlsPlayback"/>'s, the same as
/// <see cref="HlsEndpoints"/> gives inside the pipeline.
/// <para>
/// Only what a player sends is answered here: <c>GET</c> or <c>HEAD</c> over HTTP/1.1 of a playback path of a stream
/// live on this node, with a Host, without a body, an upgrade or an expectation, in printable ASCII without percent
/// escapes or dot segments, its head whole in one read. The first request that is anything else hands the connection,
/// that request unread, to Kestrel for the rest of its life (the API, a stream on another node, a malformed or
/// trickled request and its error envelope: all as before). A connection waits at most the keep-alive timeout for
/// its next request, and each answer must be taken at 240 bytes/s after 5 s (Kestrel's default minimum rate), or it
/// is closed.
/// </para>
/// </summary>
public static class PlaybackConnections
{
    /// <summary>Installs the handler on a listener (after the connection caps); <paramref name="answered"/> counts each answer by route and status.</summary>
    public static ListenOptions UsePlaybackConnections(this ListenOptions listen, TimeSpan keepAliveTimeout, Action<RouteEndpoint, int>? answered = null)
    {
        var services = listen.ApplicationServices;
        var handler = new PlaybackConnectionHandler(services.GetRequiredService<HlsStreamRegistry>(), services.GetService<TimeProvider>() ?? TimeProvider.System,
            keepAliveTimeout, answered);
        listen.Use(next => connection => handler.RunAsync(connection, next));
        return listen;
    }
}

internal sealed class PlaybackConnectionHandler(
    HlsStreamRegistry registry,
    TimeProvider time,
    TimeSpan keepAliveTimeout,
    Action<RouteEndpoint, int>? answered)
{
    /// <summary>Request line and headers of a player's request fit many times over; a longer head goes to Kestrel, which has its own limits.</summary>
    internal const int MaxHeadBytes = 8192;

    private const double MinResponseBytesPerSecond = 240;
    private static readonly TimeSpan ResponseGrace = TimeSpan.FromSeconds(5);
    private static readonly Action<object?> AbortConnection = static state => ((ConnectionContext)state!).Abort(new ConnectionAbortedException("a playback answer was not taken in time"));

    private readonly DateHeader _date = new(time);

    public async Task RunAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        if (connection.Features.Get<IConnectionSocketFeature>()?.Socket is not { } socket)
        {
            await next(connection).ConfigureAwait(false);
            return;
        }

        var input = connection.Transport.Input;
        var sending = new List<ArraySegment<byte>>(4);
        byte[] head = new byte[512];
        // Kestrel asks connections to close when the server stops (ConnectionClosedRequested): a player waiting between
        // requests must not hold the stop for the keep-alive timeout.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(
            connection.ConnectionClosed, connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? default);
        deadline.CancelAfter(keepAliveTimeout);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException)
            {
                return; // idle past the keep-alive timeout, or the peer gone (a reset too: a viewer closing the page is no failure)
            }

            var buffer = result.Buffer;
            if (buffer.IsEmpty && (result.IsCompleted || result.IsCanceled))
            {
                return; // the peer closed between requests
            }

            // A head that did not come whole in one read is no player's (they write it at once): Kestrel takes it,
            // with its header deadline and its 408.
            if (!PlaybackRequestParser.TryParse(buffer, registry, out var request, out long headEnd))
            {
                input.AdvanceTo(buffer.Start);
                deadline.CancelAfter(Timeout.InfiniteTimeSpan);
                await EventLoopApplications.RunOffLoopAsync(connection, next).ConfigureAwait(false);
                return;
            }

            input.AdvanceTo(buffer.GetPosition(headEnd));
            deadline.CancelAfter(Timeout.InfiniteTimeSpan);
            if (!await AnswerAsync(connection, socket, request, head, sending, deadline).ConfigureAwait(false) || request.Close)
            {
                return;
            }

            if (!deadline.TryReset())
            {
                return;
            }

            deadline.CancelAfter(keepAliveTimeout);
        }
    }

    /// <summary>Answers one request; false when the connection is done for (the peer gone or too slow).</summary>
    private async Task<bool> AnswerAsync(ConnectionContext connection, Socket socket, PlaybackRequest request, byte[] head, List<ArraySegment<byte>> sending, CancellationTokenSource deadline)
    {
        PlaybackAnswer? answer = null;
        try
        {
            answer = await HlsPlayback.AnswerAsync(registry, request.Path, request.Query, connection.ConnectionClosed).ConfigureAwait(false);
            long length = answer.Length;
            int headLength = WriteHead(head, answer, length, request.Close);
            sending.Add(new ArraySegment<byte>(head, 0, headLength));
            if (!request.Head)
            {
                if (answer.Media is { } media)
                {
                    foreach (var buffer in media.Buffers)
                    {
                        sending.Add(Segment(buffer.Memory));
                    }
                }
                else if (!answer.Body.IsEmpty)
                {
                    sending.Add(Segment(answer.Body));
                }
            }

            // Parts asked for more than once go from their memory files; what that leaves, and everything else, by copy.
            long sent = answer.Media is { } files && !request.Head ? FileSender.TrySend(socket, head.AsSpan(0, headLength), files) : 0;
            if (Skip(sending, sent))
            {
                deadline.CancelAfter(ResponseGrace + TimeSpan.FromSeconds(length / MinResponseBytesPerSecond));
                using (deadline.Token.UnsafeRegister(AbortConnection, connection))
                {
                    await socket.SendAsync(sending, SocketFlags.None).ConfigureAwait(false);
                }
            }

            answered?.Invoke(request.Path.Route, answer.Status);
            if (!request.Head)
            {
                answer.RecordDelivery(request.Path, (connection.RemoteEndPoint as IPEndPoint)?.Address, request.UserAgent);
            }

            return true;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            sending.Clear();
            answer?.Release();
        }
    }

    /// <summary>Drops the first <paramref name="count"/> bytes from the list; true when something is left to send.</summary>
    internal static bool Skip(List<ArraySegment<byte>> sending, long count)
    {
        int whole = 0;
        while (whole < sending.Count && count >= sending[whole].Count)
        {
            count -= sending[whole++].Count;
        }

        sending.RemoveRange(0, whole);
        if (count > 0)
        {
            sending[0] = sending[0][(int)count..];
        }

        return sending.Count > 0;
    }

    private static ArraySegment<byte> Segment(ReadOnlyMemory<byte> memory) =>
        MemoryMarshal.TryGetArray(memory, out var segment) ? segment : new ArraySegment<byte>(memory.ToArray());

    /// <summary>The status line and headers, as Kestrel would write them (without its Server header).</summary>
    private int WriteHead(byte[] head, PlaybackAnswer answer, long length, bool close)
    {
        var writer = new HeadWriter(head);
        writer.Append("HTTP/1.1 ");
        writer.Append(answer.Status);
        writer.Append(" ");
        writer.Append(ReasonPhrases.GetReasonPhrase(answer.Status));
        writer.Append("\r\nContent-Length: ");
        writer.Append(length);
        writer.Append("\r\nContent-Type: ");
        writer.Append(answer.ContentType);
        writer.Append("\r\nDate: ");
        writer.Append(_date.Current());
        writer.Append("\r\nCache-Control: ");
        writer.Append(answer.CacheControl);
        writer.Append("\r\nAccess-Control-Allow-Origin: *");
        if (answer.RetryAfter)
        {
            writer.Append("\r\nRetry-After: 1");
        }

        if (close)
        {
            writer.Append("\r\nConnection: close");
        }

        writer.Append("\r\n\r\n");
        return writer.Length;
    }

    /// <summary>ASCII into a fixed array; the heads written here are a few hundred bytes.</summary>
    private ref struct HeadWriter(byte[] buffer)
    {
        public int Length { get; private set; }

        public void Append(string text) => Length += Encoding.ASCII.GetBytes(text, buffer.AsSpan(Length));

        public void Append(long value)
        {
            Utf8Formatter.TryFormat(value, buffer.AsSpan(Length), out int written);
            Length += written;
        }
    }

    /// <summary>The Date header's value, formatted once a second.</summary>
    private sealed class DateHeader(TimeProvider time)
    {
        private Formatted _current = new(-1, "");

        public string Current()
        {
            var now = time.GetUtcNow();
            long second = now.ToUnixTimeSeconds();
            var current = Volatile.Read(ref _current);
            if (current.Second != second)
            {
                current = new Formatted(second, now.ToString("r", System.Globalization.CultureInfo.InvariantCulture));
                Volatile.Write(ref _current, current);
            }

            return current.Value;
        }

        private sealed record Formatted(long Second, string Value);
    }
}

/// <summary>A player's request as <see cref="PlaybackRequestParser"/> read it.</summary>
internal readonly record struct PlaybackRequest(bool Head, PlaybackPath Path, PlaybackQuery Query, bool Close, string? UserAgent);

/// <summary>
/// Reads a request head (request line and headers) and decides whether <see cref="PlaybackConnectionHandler"/>
/// answers it or hands it to Kestrel. Anything it is not sure of is handed over: Kestrel then parses it again, answers
/// or refuses it as it always has.
/// </summary>
internal static class PlaybackRequestParser
{
    /// <summary>What a header line may hold here: printable ASCII and tabs.</summary>
    private static readonly SearchValues<byte> HeaderBytes = SearchValues.Create([(byte)'\t', .. Enumerable.Range(0x20, 0x5f).Select(b => (byte)b)]);

    /// <summary>True for a whole request head in <paramref name="buffer"/> that the handler answers; <paramref name="headLength"/> is its length.</summary>
    public static bool TryParse(ReadOnlySequence<byte> buffer, HlsStreamRegistry registry, out PlaybackRequest request, out long headLength)
    {
        request = default;
        headLength = 0;
        var reader = new SequenceReader<byte>(buffer.Length > PlaybackConnectionHandler.MaxHeadBytes ? buffer.Slice(0, PlaybackConnectionHandler.MaxHeadBytes) : buffer);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> headSequence, "\r\n\r\n"u8))
        {
            return false;
        }

        headLength = reader.Consumed;
        return Parse(headSequence.IsSingleSegment ? headSequence.FirstSpan : headSequence.ToArray(), registry, out request); // split heads are rare
    }

    /// <summary>True for a request answered here; <paramref name="head"/> is the request line and headers without the final empty line.</summary>
    internal static bool Parse(ReadOnlySpan<byte> head, HlsStreamRegistry registry, out PlaybackRequest request)
    {
        request = default;
        int lineEnd = head.IndexOf("\r\n"u8);
        var line = lineEnd < 0 ? head : head[..lineEnd];
        var headers = lineEnd < 0 ? ReadOnlySpan<byte>.Empty : head[(lineEnd + 2)..];

        bool isHead;
        if (line.StartsWith("GET "u8))
        {
            isHead = false;
            line = line[4..];
        }
        else if (line.StartsWith("HEAD "u8))
        {
            isHead = true;
            line = line[5..];
        }
        else
        {
            return false;
        }

        int space = line.IndexOf((byte)' ');
        if (space <= 0 || !line[(space + 1)..].SequenceEqual("HTTP/1.1"u8))
        {
            return false;
        }

        var target = line[..space];
        if (target[0] != '/' || target.IndexOfAnyExceptInRange((byte)0x21, (byte)0x7e) >= 0 || target.IndexOfAny("%#"u8) >= 0 || target.IndexOf("/."u8) >= 0)
        {
            return false;
        }

        int question = target.IndexOf((byte)'?');
        var pathBytes = question < 0 ? target : target[..question];
        Span<char> pathChars = stackalloc char[pathBytes.Length];
        Encoding.ASCII.GetChars(pathBytes, pathChars);
        if (!PlaybackPath.TryParse(pathChars, out var path) || !HlsPlayback.IsLocal(registry, path))
        {
            return false;
        }

        if (!TryReadHeaders(headers, out bool close, out string? userAgent))
        {
            return false;
        }

        request = new PlaybackRequest(isHead, path, question < 0 ? PlaybackQuery.None : ReadQuery(target[(question + 1)..]), close, userAgent);
        return true;
    }

    /// <summary>False for anything this handler leaves to Kestrel: a body, an upgrade, an expectation, no Host, a folded or odd line.</summary>
    private static bool TryReadHeaders(ReadOnlySpan<byte> headers, out bool close, out string? userAgent)
    {
        close = false;
        userAgent = null;
        bool host = false;
        while (!headers.IsEmpty)
        {
            int end = headers.IndexOf("\r\n"u8);
            var line = end < 0 ? headers : headers[..end];
            headers = end < 0 ? ReadOnlySpan<byte>.Empty : headers[(end + 2)..];
            int colon = line.IndexOf((byte)':');
            if (colon <= 0 || line.ContainsAnyExcept(HeaderBytes))
            {
                return false;
            }

            var name = line[..colon];
            var value = line[(colon + 1)..].Trim(" \t"u8);
            if (name.IndexOfAny(" \t"u8) >= 0)
            {
                return false;
            }

            if (Ascii.EqualsIgnoreCase(name, "Host"u8))
            {
                host = true;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                if (!value.SequenceEqual("0"u8))
                {
                    return false;
                }
            }
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8) || Ascii.EqualsIgnoreCase(name, "Upgrade"u8) || Ascii.EqualsIgnoreCase(name, "Expect"u8))
            {
                return false;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                foreach (var token in value.Split((byte)','))
                {
                    var option = value[token].Trim(" \t"u8);
                    if (Ascii.EqualsIgnoreCase(option, "close"u8))
                    {
                        close = true;
                    }
                    else if (Ascii.EqualsIgnoreCase(option, "upgrade"u8))
                    {
                        return false;
                    }
                }
            }
            else if (Ascii.EqualsIgnoreCase(name, "User-Agent"u8))
            {
                userAgent = Encoding.ASCII.GetString(value);
            }
        }

        return host;
    }

    /// <summary>
    /// _HLS_msn and _HLS_part as ASP.NET reads them: a value that is not a non-negative integer, an empty one or one given
    /// twice makes the query not valid (ASP.NET would join the two values and fail the same way).
    /// </summary>
    private static PlaybackQuery ReadQuery(ReadOnlySpan<byte> query)
    {
        long? msn = null;
        long? part = null;
        bool valid = true;
        foreach (var range in query.Split((byte)'&'))
        {
            var pair = query[range];
            int equals = pair.IndexOf((byte)'=');
            var name = equals < 0 ? pair : pair[..equals];
            var value = equals < 0 ? ReadOnlySpan<byte>.Empty : pair[(equals + 1)..];
            if (Ascii.EqualsIgnoreCase(name, "_HLS_msn"u8))
            {
                valid &= msn is null && TryReadNumber(value, out msn);
            }
            else if (Ascii.EqualsIgnoreCase(name, "_HLS_part"u8))
            {
                valid &= part is null && TryReadNumber(value, out part);
            }
        }

        return new PlaybackQuery(msn, part, valid);
    }

    private static bool TryReadNumber(ReadOnlySpan<byte> value, out long? number)
    {
        number = null;
        if (value.IsEmpty || value.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0 || !Utf8Parser.TryParse(value, out long parsed, out int consumed) || consumed != value.Length)
        {
            return false;
        }

        number = parsed;
        return true;
    }
}
