using System.Buffers;
using Microsoft.Win32.SafeHandles;
using Stagecast.Media;
using Stagecast.Media.Fmp4;

namespace Stagecast.Recording;

/// <summary>
/// Finishes a recording: its fragmented MP4 (the <c>.part</c> written as it went, or what a crash left of it) rewritten
/// in process as a progressive MP4 with its index in front (<see cref="ProgressiveMovieWriter"/>), so players seek at
/// once; the samples' bytes are copied as they are, a fragment's run at a time. A fragment the crash cut short is left
/// out. Any fragmented MP4 is taken (ffmpeg's, from before recordings were written in process, too).
/// </summary>
public static class RecordingFinisher
{
    private const int CopyBufferSize = 1024 * 1024;

    /// <summary>Writes <paramref name="finalPath"/> and deletes <paramref name="partPath"/>; null when done, otherwise why not.</summary>
    public static async Task<string?> FinishAsync(string partPath, string finalPath, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(partPath) || new FileInfo(partPath).Length == 0)
        {
            return "nothing was recorded";
        }

        try
        {
            using (var part = File.OpenHandle(partPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                var index = await ReadIndexAsync(part, cancellationToken).ConfigureAwait(false);
                if (index.Chunks.Count == 0)
                {
                    return "nothing was recorded";
                }

                await WriteAsync(part, index, finalPath, cancellationToken).ConfigureAwait(false);
            }

            File.Delete(partPath);
            return null;
        }
        catch (MediaFormatException ex)
        {
            return $"finishing the file failed: Invalid data: {ex.Message}";
        }
        catch (Exception ex) when (FileFailure.Is(ex))
        {
            File.Delete(finalPath);
            return $"finishing the file failed: {ex.Message}";
        }
    }

    /// <summary>The file's top-level boxes: its moov and every moof whose samples are all there.</summary>
    private static async Task<FragmentedMovieIndex> ReadIndexAsync(SafeFileHandle part, CancellationToken cancellationToken)
    {
        var index = new FragmentedMovieIndex();
        long length = RandomAccess.GetLength(part);
        byte[] header = new byte[BoxHeader.MaxLength];
        long at = 0;
        while (at < length)
        {
            int read = await RandomAccess.ReadAsync(part, header.AsMemory(0, (int)Math.Min(header.Length, length - at)), at, cancellationToken).ConfigureAwait(false);
            if (!BoxHeader.TryRead(header.AsSpan(0, read), out var box) || (!box.ToEnd && box.Size > length - at))
            {
                break; // cut short by a crash
            }

            long size = box.ToEnd ? length - at : box.Size;
            int limit = box.Type == BoxTypes.Moov ? MediaLimits.MaxFragmentedMovieBoxSize : MediaLimits.MaxMovieFragmentBoxSize;
            if (box.Type is BoxTypes.Moov or BoxTypes.Moof)
            {
                if (size > limit)
                {
                    throw new MediaFormatException($"a {(box.Type == BoxTypes.Moov ? "moov" : "moof")} of {size} bytes");
                }

                byte[] body = new byte[size - box.HeaderLength];
                await RandomAccess.ReadAsync(part, body, at + box.HeaderLength, cancellationToken).ConfigureAwait(false);
                if (box.Type == BoxTypes.Moov)
                {
                    index.AddMovie(body);
                }
                else if (!index.AddFragment(body, at, length))
                {
                    break; // its samples were not all written
                }
            }

            at += size;
        }

        return index.HasMovie ? index : throw new MediaFormatException("no movie box (moov) in the file");
    }

    /// <summary>The index in front, then each run of samples copied in order (runs next to each other in one go).</summary>
    private static async Task WriteAsync(SafeFileHandle part, FragmentedMovieIndex index, string finalPath, CancellationToken cancellationToken)
    {
        byte[] head = ProgressiveMovieWriter.WriteHeader(index);
        using var final = File.OpenHandle(finalPath, FileMode.Create, FileAccess.Write, FileShare.Read, FileOptions.None, head.Length + index.PayloadLength);
        await RandomAccess.WriteAsync(final, head, 0, cancellationToken).ConfigureAwait(false);
        long written = head.Length;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            var chunks = index.Chunks;
            for (int i = 0; i < chunks.Count;)
            {
                long from = chunks[i].Offset;
                long length = chunks[i].Length;
                for (i++; i < chunks.Count && chunks[i].Offset == from + length; i++)
                {
                    length += chunks[i].Length;
                }

                for (long done = 0; done < length;)
                {
                    int read = await RandomAccess.ReadAsync(part, buffer.AsMemory(0, (int)Math.Min(buffer.Length, length - done)), from + done, cancellationToken)
                        .ConfigureAwait(false);
                    if (read == 0)
                    {
                        throw new IOException("the recording's file ended while it was copied");
                    }

                    await RandomAccess.WriteAsync(final, buffer.AsMemory(0, read), written, cancellationToken).ConfigureAwait(false);
                    done += read;
                    written += read;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
