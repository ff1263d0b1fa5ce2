using System.ComponentModel.DataAnnotations;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Rooms;

/// <summary>A new poll in a room: from a peer (<c>poll_create</c> on the channel) or the API (<c>POST …/active-session/poll</c>).</summary>
public sealed record PollRequest : IValidatableObject
{
    [Required]
    [StringLength(1000, MinimumLength = 1)]
    public string? Question { get; init; }

    [Required]
    [ItemCount(2, 20)]
    public string[]? Options { get; init; }

    public bool? Anonymous { get; init; }

    public bool? HideVotes { get; init; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Options!.Any(o => string.IsNullOrWhiteSpace(o) || o.Length > 500))
        {
            yield return new ValidationResult("\"options\" must be texts of 1 to 500 characters");
        }
    }
}
