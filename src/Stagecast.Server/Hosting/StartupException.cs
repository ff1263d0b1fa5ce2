namespace Stagecast.Server.Hosting;

/// <summary>A setting that keeps the server from starting; reported as one line, without a stack trace.</summary>
public sealed class StartupException(string message) : Exception(message)
{
    /// <summary>
    /// Settings' validation failures as one line. The validators generated at compile time write each as
    /// <c>Member: message</c>; the messages name what is wrong themselves (<c>--rtmp-url '…' must be …</c>,
    /// <c>The field ServerOptions.HttpPort must be …</c>), so the member's prefix goes.
    /// </summary>
    public static StartupException From(IEnumerable<string> failures) => new(string.Join("; ", failures.Select(WithoutMember)));

    private static string WithoutMember(string failure) =>
        failure.IndexOf(": ", StringComparison.Ordinal) is > 0 and var colon && !failure.AsSpan(0, colon).Contains(' ') ? failure[(colon + 2)..] : failure;
}
