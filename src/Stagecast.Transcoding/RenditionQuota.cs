using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace Stagecast.Transcoding;

/// <summary>
/// Bounds the encodes that run at once, each an x264 of its own (a 480p and a 360p of a 720p source take about a fifth
/// of a core between them): an owner's, every livestream of an account together
/// (<see cref="TranscodeOptions.MaxRenditionsPerAccount"/>), and this server's (<see cref="TranscodeOptions.MaxRenditions"/>).
/// A stream's encodes are taken all at once when its transcoder would start them, or none: a player gets the whole
/// ladder or the source alone, never a ladder with holes. Taken until the stream ends.
/// </summary>
public sealed class RenditionQuota(IOptions<TranscodeOptions> options)
{
    private readonly Lock _sync = new();
    private readonly Dictionary<object, (string Owner, int Encodes)> _taken = new(ReferenceEqualityComparer.Instance); // by holder

    /// <summary>
    /// Takes <paramref name="encodes"/> places for <paramref name="holder"/> (a stream's transcoder: a livestream's next
    /// broadcast has another) of <paramref name="owner"/>; false, with the limit and its setting named in
    /// <paramref name="refusal"/>, when they would pass one.
    /// </summary>
    public bool TryTake(object holder, string owner, int encodes, [NotNullWhen(false)] out string? refusal)
    {
        var settings = options.Value;
        lock (_sync)
        {
            int ours = _taken.Values.Where(t => t.Owner == owner).Sum(t => t.Encodes);
            int all = _taken.Values.Sum(t => t.Encodes);
            refusal = ours + encodes > settings.MaxRenditionsPerAccount
                ? $"its {encodes} encodes would take this account's livestreams past {settings.MaxRenditionsPerAccount} at once ({ours} run; " +
                  $"Stagecast:Transcode:MaxRenditionsPerAccount)"
                : all + encodes > settings.MaxRenditions
                    ? $"its {encodes} encodes would take this server past {settings.MaxRenditions} at once ({all} run; Stagecast:Transcode:MaxRenditions)"
                    : null;
            if (refusal is null)
            {
                _taken[holder] = (owner, encodes);
            }

            return refusal is null;
        }
    }

    /// <summary>The holder's encodes ended (nothing when it took none).</summary>
    public void Release(object holder)
    {
        lock (_sync)
        {
            _taken.Remove(holder);
        }
    }

    /// <summary>The encodes <paramref name="owner"/>'s streams hold (diagnostics and tests).</summary>
    public int Encodes(string owner)
    {
        lock (_sync)
        {
            return _taken.Values.Where(t => t.Owner == owner).Sum(t => t.Encodes);
        }
    }
}
