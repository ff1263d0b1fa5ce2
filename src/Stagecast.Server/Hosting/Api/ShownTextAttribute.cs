namespace Stagecast.Server.Hosting.Api;

/// <summary>A request's text that others are shown (<see cref="ShownText"/>): refused with the problem named.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ShownTextAttribute : System.ComponentModel.DataAnnotations.ValidationAttribute
{
    public override bool IsValid(object? value) => value is not string text || ShownText.Problem(text) is null;

    public override string FormatErrorMessage(string name) => $"\"{name}\" must not contain control characters, line breaks or invisible formatting characters";
}
