using System.Globalization;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>
/// An SDP (an offer or an answer, the server's or a test client's) read and rewritten as text, section by section, as
/// a test needs it: each m= section's kind, port, mid, direction and SSRCs, and the sections themselves to edit.
/// </summary>
public static class SdpText
{
    /// <summary>The session lines, then each m= section, as text (each ending in CRLF): concatenated, the SDP again.</summary>
    public static IReadOnlyList<string> Split(string sdp) =>
        [.. sdp.Split("\r\nm=").Select((s, i) => i == 0 ? s + "\r\n" : "m=" + s + (s.EndsWith("\r\n", StringComparison.Ordinal) ? "" : "\r\n"))];

    /// <summary>The m= sections.</summary>
    public static IReadOnlyList<Section> Sections(string sdp) => [.. Split(sdp).Skip(1).Select(Read)];

    /// <summary>The m= section of mid <paramref name="mid"/>.</summary>
    public static Section Of(string sdp, string mid) => Sections(sdp).Single(s => s.Mid == mid);

    /// <summary>The mid of a section's text ("" for the session lines).</summary>
    public static string MidOf(string section) => Attributes(section, "mid").FirstOrDefault() ?? "";

    private static Section Read(string text)
    {
        string[] media = text.Split("\r\n")[0][2..].Split(' ');
        string direction = text.Split("\r\n").Select(l => l.TrimStart('a', '=')).FirstOrDefault(l => l is "sendonly" or "recvonly" or "sendrecv" or "inactive") ?? "sendrecv";
        var ssrcs = Attributes(text, "ssrc").Select(a => uint.Parse(a.Split(' ')[0], CultureInfo.InvariantCulture)).Distinct().ToList();
        return new Section(media[0], int.Parse(media[1], CultureInfo.InvariantCulture), MidOf(text), direction, ssrcs);
    }

    private static IEnumerable<string> Attributes(string section, string name) =>
        section.Split("\r\n").Where(l => l.StartsWith($"a={name}:", StringComparison.Ordinal)).Select(l => l[(name.Length + 3)..]);

    /// <summary>One m= section: port 0 is a closed (rejected or stopped) one.</summary>
    public sealed record Section(string Kind, int Port, string Mid, string Direction, IReadOnlyList<uint> Ssrcs)
    {
        public bool Closed => Port == 0;
    }
}
