using System.ComponentModel.DataAnnotations;

namespace Stagecast.Streaming.Limits;

/// <summary>
/// A duration setting's range, checked at start: at least <c>minimum</c> (a positive millisecond unless given, as
/// <c>d.hh:mm:ss.fff</c>) and at most ten years.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class DurationAttribute : RangeAttribute
{
    public DurationAttribute(string minimum = "00:00:00.001")
        : base(typeof(TimeSpan), minimum, "3650.00:00:00")
    {
        ParseLimitsInInvariantCulture = true;
        ConvertValueInInvariantCulture = true;
        ErrorMessage = "{0} must be a duration from {1} to {2}";
    }
}
