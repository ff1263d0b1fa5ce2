using System.ComponentModel.DataAnnotations;

namespace Stagecast.Transport.Epoll;

public sealed class EventLoopTransportOptions : IValidatableObject
{
    private static readonly TimeSpan MaxReadPacing = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// After a busy loop served its sockets, how long it lets their next data gather before it looks again (posted
    /// work still runs at once). Every media message adds at most this much to the live edge; in exchange the loop
    /// wakes once per interval instead of once per arriving TCP segment. Zero reads on every edge.
    /// </summary>
    public TimeSpan ReadPacing { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// How many connections a loop must watch before it paces its reads. With a few publishers per loop a wake-up
    /// serves one socket whether paced or not, and pacing only added latency and timer wake-ups (bench/README.md).
    /// </summary>
    [Range(1, 1_000_000)]
    public int ReadPacingFromConnections { get; set; } = 16;

    /// <summary>Loop threads; by default one per core.</summary>
    [Range(1, 1024)]
    public int Loops { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// A new connection goes to the first loop watching fewer than this many, and only once every loop has this many
    /// to the loop with the fewest. Connections on one loop share its wake-ups (one turn reads every socket that has
    /// data), where a few spread over every loop wake each loop for its own: at 10 publishers that took a third
    /// more wake-ups and a fifth more CPU (bench/README.md). The default is the pacing threshold, so a loop is paced
    /// before the next one gets connections.
    /// </summary>
    [Range(1, 1_000_000)]
    public int FillLoopsTo { get; set; } = 16;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ReadPacing < TimeSpan.Zero || ReadPacing > MaxReadPacing)
        {
            yield return new ValidationResult($"ReadPacing must be a duration from 00:00:00 to {MaxReadPacing}", [nameof(ReadPacing)]);
        }
    }
}
