using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Stagecast.Srt.Native;
using Stagecast.Streaming;
using Stagecast.Streaming.MpegTs;

namespace Stagecast.Srt.Sessions;

/// <summary>
/// A caller reading a live stream as MPEG-TS (<c>m=request</c>): a queued reader of the hub, so a slow caller drops
/// frames (counted by the reader, video until the next keyframe) and never slows the publisher. Frames become
/// transport packets in <see cref="TsEgress"/> and go out seven to a message, SRT's usual payload. A message the send
/// buffer cannot take is dropped too, and video resumes at the next keyframe.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "A CancellationTokenSource with no timer and no links holds nothing to dispose; OnClosed may cancel it after the pump ended")]
internal sealed class SrtReadSession(ISrtConnectionHost host, int socket, string remote, string address, long acceptedAt, HubStream stream)
    : SrtConnection(socket, remote, address, acceptedAt)
{
    /// <summary>Seven transport packets, the payload SRT senders use (SRT_LIVE_DEF_PLSIZE).</summary>
    private const int MessageSize = 7 * 188;

    private readonly CancellationTokenSource _closed = new();
    private long _droppedMessages;

    /// <summary>Messages the SRT send buffer could not take.</summary>
    public long DroppedMessages => Interlocked.Read(ref _droppedMessages);

    public override void Start()
    {
        var reader = stream.AddReader($"srt {Remote}", new ReaderOptions { IsViewer = true });
        SrtLog.Reading(host.Logger, Remote, stream.Id);
        _ = Task.Run(() => PumpAsync(reader));
    }

    public override void OnReadable(byte[] buffer)
    {
        // A reader has nothing to say; whatever it sends is read and dropped.
        while (!IsClosed && LibSrt.ReceiveMessage(Socket, ref buffer[0], buffer.Length) >= 0)
        {
        }
    }

    protected override void OnClosed(string reason) => _closed.Cancel();

    private async Task PumpAsync(HubStreamReader reader)
    {
        var egress = new TsEgress(kind => SrtLog.Unsupported(host.Logger, Remote, "video", kind, stream.Id));
        var output = new ArrayBufferWriter<byte>(64 * 1024);
        string reason = "the stream ended";
        try
        {
            while (await reader.WaitToReadAsync(_closed.Token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var frame))
                {
                    try
                    {
                        egress.Write(frame, output);
                    }
                    finally
                    {
                        frame.Release();
                    }
                }

                if (!Send(output.WrittenSpan))
                {
                    egress.WaitForKeyframe();
                }

                output.ResetWrittenCount();
            }
        }
        catch (OperationCanceledException)
        {
            return; // closed by the loop
        }
        catch (Exception ex) when (ex is Media.MediaFormatException)
        {
            reason = $"cannot write the stream as MPEG-TS: {ex.Message}";
        }
        finally
        {
            reader.Dispose();
        }

        host.Post(() => host.CloseQuietly(this, reason));
    }

    /// <summary>Sends the transport packets; false when the send buffer was full and some were dropped.</summary>
    private bool Send(ReadOnlySpan<byte> packets)
    {
        while (!packets.IsEmpty && !IsClosed)
        {
            var message = packets[..Math.Min(MessageSize, packets.Length)];
            if (LibSrt.SendMessage(Socket, ref System.Runtime.InteropServices.MemoryMarshal.GetReference(message), message.Length, -1, 0) < 0)
            {
                if (LibSrt.GetLastError(0) != LibSrt.ErrorAsyncSend)
                {
                    return true; // the connection broke: the loop closes it
                }

                Interlocked.Increment(ref _droppedMessages);
                return false;
            }

            packets = packets[message.Length..];
        }

        return true;
    }
}
