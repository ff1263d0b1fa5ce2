using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Stagecast.Streaming.Limits;

/// <summary>
/// A duration setting's range, checked at start: at least <c>minimum</c> (a positive millisecond unless given, as
/// <c>d.hh:mm:ss.fff</c>) and at most ten years. Its own attribute rather than <c>RangeAttribute(typeof(TimeSpan), …)</c>,
/// which converts through a TypeConverter found by reflection (not available in the Native AOT release).
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class DurationAttribute(string minimum = "00:00:00.001") : ValidationAttribute("{0} must be a duration from {1} to {2}")
{
    public static readonly TimeSpan Maximum = TimeSpan.FromDays(3650);

    public TimeSpan Minimum { get; } = TimeSpan.Parse(minimum, CultureInfo.InvariantCulture);

    public override bool IsValid(object? value) => value is not TimeSpan duration || (duration >= Minimum && duration <= Maximum);

    public override string FormatErrorMessage(string name) =>
        string.Format(CultureInfo.InvariantCulture, ErrorMessageString, name, Minimum, Maximum);
}
