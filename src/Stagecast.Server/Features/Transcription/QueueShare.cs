using Stagecast.Speech;

namespace Stagecast.Server.Features.Transcription;

/// <summary>
/// One source's share of the server's speech queue (a meeting's, a livestream's): how many of its utterances wait for
/// the engine, so that one busy source never holds the whole queue (<see cref="LiveTranscripts"/>).
/// </summary>
public sealed class QueueShare
{
    private int _waiting;

    /// <summary>How many of its utterances wait (or are being recognised, or kept).</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Takes a place for one more utterance, unless <paramref name="limit"/> wait already.</summary>
    public bool TryReserve(int limit)
    {
        if (Interlocked.Increment(ref _waiting) <= limit)
        {
            return true;
        }

        Interlocked.Decrement(ref _waiting);
        return false;
    }

    /// <summary>An utterance left the queue (heard, silent, dropped or failed); true when none waits any more.</summary>
    public bool Release() => Interlocked.Decrement(ref _waiting) == 0;
}

/// <summary>
/// An utterance of a livestream's own audio (<see cref="LivestreamCaptions"/>): the livestream it is of (its speaker),
/// when it began on the server's clock, its livestream's share of the queue, and what to do with its words.
/// </summary>
public sealed record StreamUtterance(string LivestreamId, Utterance Utterance, DateTimeOffset Began, QueueShare Share, Action<StreamUtterance, string> Heard)
    : UtteranceJob(LivestreamId, Utterance);
