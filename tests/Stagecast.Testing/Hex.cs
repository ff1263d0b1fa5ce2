namespace Stagecast.Testing;

public static class Hex
{
    /// <summary>Parses hex with optional spaces and line breaks.</summary>
    public static byte[] Parse(string hex) => Convert.FromHexString(string.Concat(hex.Where(c => !char.IsWhiteSpace(c))));

    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}
