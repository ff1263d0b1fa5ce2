using System.Globalization;
using Stagecast.Streaming.Logging;

namespace Stagecast.WebRtc.Sdp;

/// <summary>
/// The parts of an SDP offer (RFC 8866, with the WebRTC attributes of RFC 8829/8839/8842/8843) a WHIP or WHEP endpoint
/// answers: ICE credentials, the DTLS fingerprint and role, and per media section its codecs, direction and SSRCs.
/// Parsing is line by line with every count bounded; an offer that breaks a rule gets a message naming it.
/// </summary>
public sealed class SdpSessionDescription
{
    /// <summary>Largest offer accepted (browsers send 5-10 KB; a hundred codecs would still fit).</summary>
    public const int MaxLength = 64 * 1024;

    private const int MaxLines = 4096;
    /// <summary>The most m= sections a description may have.</summary>
    public const int MaxMediaSections = 16;
    private const int MaxFormatsPerSection = 128;

    public string? IceUfrag { get; private set; }

    public string? IcePassword { get; private set; }

    /// <summary>The <c>a=fingerprint</c> hash function name, lower case (e.g. <c>sha-256</c>).</summary>
    public string? FingerprintAlgorithm { get; private set; }

    public byte[]? Fingerprint { get; private set; }

    /// <summary>The <c>a=setup</c> role the offerer takes (actpass, active, passive).</summary>
    public string? Setup { get; private set; }

    public List<MediaDescription> Media { get; } = [];

    /// <summary>Parses an offer; throws <see cref="SdpException"/> with a message naming what is wrong.</summary>
    public static SdpSessionDescription Parse(string text)
    {
        if (text.Length > MaxLength)
        {
            throw new SdpException($"the SDP is {text.Length} bytes; at most {MaxLength} are accepted");
        }

        if (!text.StartsWith("v=0", StringComparison.Ordinal))
        {
            throw new SdpException("the body is not an SDP offer (it must start with v=0)");
        }

        var description = new SdpSessionDescription();
        MediaDescription? current = null;
        int lineCount = 0;
        foreach (var rawLine in text.AsSpan().EnumerateLines())
        {
            if (++lineCount > MaxLines)
            {
                throw new SdpException($"the SDP has more than {MaxLines} lines");
            }

            var line = rawLine.TrimEnd('\r');
            if (line.IsEmpty)
            {
                continue;
            }

            if (line.Length < 2 || line[1] != '=')
            {
                throw new SdpException($"line {lineCount} is not of the form <type>=<value>");
            }

            char type = line[0];
            string value = line[2..].ToString();
            switch (type)
            {
                case 'm':
                    if (description.Media.Count >= MaxMediaSections)
                    {
                        throw new SdpException($"the SDP has more than {MaxMediaSections} media sections");
                    }

                    current = MediaDescription.ParseMediaLine(value, description.Media.Count, MaxFormatsPerSection);
                    description.Media.Add(current);
                    break;
                case 'a':
                    description.ApplyAttribute(value, current);
                    break;
                default:
                    break; // o=, s=, c=, t=, b= ... carry nothing an answer needs
            }
        }

        if (description.Media.Count == 0)
        {
            throw new SdpException("the SDP offer has no media sections (m= lines)");
        }

        description.Validate();
        return description;
    }

    private void ApplyAttribute(string value, MediaDescription? media)
    {
        int colon = value.IndexOf(':', StringComparison.Ordinal);
        string name = colon < 0 ? value : value[..colon];
        string argument = colon < 0 ? string.Empty : value[(colon + 1)..];
        switch (name)
        {
            case "ice-ufrag":
                if (media is null || IceUfrag is null)
                {
                    IceUfrag = argument;
                }

                break;
            case "ice-pwd":
                if (media is null || IcePassword is null)
                {
                    IcePassword = argument;
                }

                break;
            case "fingerprint" when Fingerprint is null:
                ParseFingerprint(argument);
                break;
            case "setup":
                Setup ??= argument;
                break;
            default:
                media?.ApplyAttribute(name, argument);
                break;
        }
    }

    private void ParseFingerprint(string argument)
    {
        int space = argument.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0)
        {
            throw new SdpException("a=fingerprint needs a hash function and a value");
        }

        FingerprintAlgorithm = argument[..space].ToLowerInvariant();
        string hex = argument[(space + 1)..].Trim().Replace(":", string.Empty, StringComparison.Ordinal);
        try
        {
            Fingerprint = Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            throw new SdpException("a=fingerprint is not hexadecimal bytes separated by colons");
        }
    }

    private void Validate()
    {
        if (string.IsNullOrEmpty(IceUfrag) || string.IsNullOrEmpty(IcePassword))
        {
            throw new SdpException("the SDP offer has no a=ice-ufrag and a=ice-pwd");
        }

        if (IceUfrag.Length > 256 || IcePassword.Length > 256 || IcePassword.Length < 22)
        {
            throw new SdpException("a=ice-ufrag or a=ice-pwd has a length RFC 8839 does not allow (pwd 22-256 characters)");
        }

        if (Fingerprint is null || FingerprintAlgorithm is not ("sha-256" or "sha-384" or "sha-512" or "sha-1"))
        {
            throw new SdpException("the SDP offer has no a=fingerprint with sha-256 (or sha-1/384/512): DTLS-SRTP is required");
        }

        if (Setup is "passive")
        {
            throw new SdpException("a=setup:passive in the offer: Stagecast is the DTLS server, the offer must be actpass or active");
        }
    }

    internal static int ParseInt(string text, string what) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw new SdpException($"{what} '{LogText.Untrusted(text, 40)}' is not a number");
}
