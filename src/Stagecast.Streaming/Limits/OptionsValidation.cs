using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Stagecast.Streaming.Limits;

public static class OptionsValidation
{
    /// <summary>
    /// Validates the options with a validator generated at compile time from their DataAnnotations
    /// (<c>[OptionsValidator] partial class XValidator : IValidateOptions&lt;X&gt;</c>), which needs no reflection, unlike
    /// <c>ValidateDataAnnotations()</c>: the release is a Native AOT binary.
    /// </summary>
    public static OptionsBuilder<TOptions> ValidateWith<TOptions, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TValidator>(
        this OptionsBuilder<TOptions> builder)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        builder.Services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
        return builder;
    }
}
