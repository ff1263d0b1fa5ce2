using System.Security.Cryptography;
using System.Text;

namespace Stagecast.WebRtc.Ice;

/// <summary>
/// A session's ICE username fragment and password (RFC 8445 section 5.3): drawn from a CSPRNG, in the ice-char
/// alphabet. The password keys MESSAGE-INTEGRITY, so a binding request for a session proves knowledge of its SDP.
/// </summary>
public sealed class IceCredentials
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private IceCredentials(string ufrag, string password)
    {
        Ufrag = ufrag;
        Password = password;
        PasswordBytes = Encoding.UTF8.GetBytes(password);
    }

    public string Ufrag { get; }

    public string Password { get; }

    public byte[] PasswordBytes { get; }

    /// <summary>An 8-character ufrag (48 bits) and a 24-character password (143 bits).</summary>
    public static IceCredentials Create() => new(RandomNumberGenerator.GetString(Alphabet, 8), RandomNumberGenerator.GetString(Alphabet, 24));
}
