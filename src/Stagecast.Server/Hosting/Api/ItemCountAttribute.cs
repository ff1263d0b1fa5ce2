using System.Collections;
using System.ComponentModel.DataAnnotations;

namespace Stagecast.Server.Hosting.Api;

/// <summary>
/// How many items a request's list may hold. DataAnnotations' <c>MinLength</c>/<c>MaxLength</c> find a collection's
/// count by reflection, which the Native AOT release cannot follow; request lists are collections, so this counts them.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ItemCountAttribute(int minimum, int maximum) : ValidationAttribute
{
    public int Minimum { get; } = minimum;

    public int Maximum { get; } = maximum;

    public override bool IsValid(object? value) => value is not ICollection items || (items.Count >= Minimum && items.Count <= Maximum);

    public override string FormatErrorMessage(string name) => Minimum > 0
        ? $"\"{name}\" must have {Minimum} to {Maximum} items"
        : $"\"{name}\" must have at most {Maximum} items";
}
