using System.Security.Cryptography;

namespace Stagecast.Server.Hosting.Security;

/// <summary>Secrets drawn from a CSPRNG, in alphabets every encoder and shell accepts.</summary>
public static class Secrets
{
    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>Prefix of API tokens, so they are recognisable in configuration and secret scanners.</summary>
    public const string TokenPrefix = "sct_";

    /// <summary>A stream key: 32 base62 characters, about 190 bits.</summary>
    public static string NewStreamKey() => RandomBase62(32);

    /// <summary>An API token: "sct_" and 40 base62 characters, about 238 bits.</summary>
    public static string NewApiToken() => TokenPrefix + RandomBase62(40);

    public static string RandomBase62(int length) => RandomNumberGenerator.GetString(Base62, length);
}
