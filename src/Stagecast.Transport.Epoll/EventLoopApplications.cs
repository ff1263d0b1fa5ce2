using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace Stagecast.Transport.Epoll;

/// <summary>
/// Runs an application off the loop thread: one whose work may block or take long (Kestrel's HTTP pipeline and the
/// API behind it, a database call, a file upload) must never hold up the other connections its loop serves. A loop
/// runs the application inline on every read and resumes a flush held back by a full socket there too; behind this,
/// reads and flushes that complete later continue on the thread pool instead.
/// </summary>
public static class EventLoopApplications
{
    /// <summary>Runs <paramref name="application"/> on the thread pool if the connection is on a loop, else as it is.</summary>
    public static Task RunOffLoopAsync(ConnectionContext connection, ConnectionDelegate application)
    {
        if (connection is not EventLoopConnection)
        {
            return application(connection);
        }

        connection.Transport = new DuplexPipe(new ThreadPoolPipeReader(connection.Transport.Input), new ThreadPoolPipeWriter(connection.Transport.Output));
        return Task.Run(() => application(connection));
    }

    /// <summary>The result of an operation that did not complete at once, handed on from the thread that completed it to the thread pool.</summary>
    private static async ValueTask<T> OnThreadPoolAsync<T>(ValueTask<T> pending)
    {
        var result = await pending.ConfigureAwait(false);
        await Task.Yield(); // the loop thread has no synchronization context: this continues on the pool
        return result;
    }

    private sealed class ThreadPoolPipeReader(PipeReader inner) : PipeReader
    {
        public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            var read = inner.ReadAsync(cancellationToken);
            return read.IsCompleted ? read : OnThreadPoolAsync(read);
        }

        public override bool TryRead(out ReadResult result) => inner.TryRead(out result);

        public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);

        public override void CancelPendingRead() => inner.CancelPendingRead();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);
    }

    private sealed class ThreadPoolPipeWriter(PipeWriter inner) : PipeWriter
    {
        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            var flush = inner.FlushAsync(cancellationToken);
            return flush.IsCompleted ? flush : OnThreadPoolAsync(flush);
        }

        public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
        {
            var write = inner.WriteAsync(source, cancellationToken);
            return write.IsCompleted ? write : OnThreadPoolAsync(write);
        }

        public override void Advance(int bytes) => inner.Advance(bytes);

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);
    }
}
