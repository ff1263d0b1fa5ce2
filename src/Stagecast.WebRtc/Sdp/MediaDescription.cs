using Stagecast.Streaming.Logging;

namespace Stagecast.WebRtc.Sdp;

/// <summary>One m= section of an offer: its kind, mid, direction, the codecs by payload type and the sender's SSRCs.</summary>
public sealed class MediaDescription
{
    private const int MaxSsrcs = 16;

    /// <summary>The most simulcast layers a section may offer.</summary>
    public const int MaxRids = 4;

    private MediaDescription(string kind, string protocol, int index, bool rejected)
    {
        Kind = kind;
        Protocol = protocol;
        Index = index;
        Rejected = rejected;
    }

    /// <summary><c>audio</c>, <c>video</c> or <c>application</c>.</summary>
    public string Kind { get; }

    public string Protocol { get; }

    public int Index { get; }

    /// <summary>Port 0: the section is rejected or stopped (RFC 8829 section 5.2.2), its place kept.</summary>
    public bool Rejected { get; }

    /// <summary>The mid (RFC 8843), or the section's index when the offer names none.</summary>
    public string Mid { get; private set; } = string.Empty;

    /// <summary>sendrecv, sendonly, recvonly or inactive, as offered.</summary>
    public string Direction { get; private set; } = "sendrecv";

    public bool RtcpMux { get; private set; }

    /// <summary>The section offers simulcast (RFC 8853 <c>a=simulcast</c>, its layers named by <c>a=rid</c>).</summary>
    public bool Simulcast { get; private set; }

    /// <summary>
    /// The layers the section offers to send, by RID, in the order of its <c>a=simulcast:send</c> list (the first of
    /// each group of alternatives; a paused layer's <c>~</c> dropped); empty without simulcast.
    /// </summary>
    public List<string> SendRids { get; } = [];

    public List<int> Formats { get; } = [];

    public Dictionary<int, RtpCodec> Codecs { get; } = [];

    public List<uint> Ssrcs { get; } = [];

    /// <summary>RTP header extensions offered (RFC 8285 <c>a=extmap</c>): id by URI.</summary>
    public Dictionary<string, int> Extensions { get; } = new(StringComparer.Ordinal);

    public bool IsRtp => Protocol.Contains("RTP", StringComparison.Ordinal);

    internal static MediaDescription ParseMediaLine(string value, int index, int maxFormats)
    {
        // m=<media> <port> <proto> <fmt> ...
        string[] parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 3)
        {
            throw new SdpException($"m= line {index + 1} needs a media type, port and protocol");
        }

        if (parts.Length - 3 > maxFormats)
        {
            throw new SdpException($"m= line {index + 1} lists more than {maxFormats} formats");
        }

        var media = new MediaDescription(parts[0], parts[2], index, parts[1] == "0") { Mid = index.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (media.IsRtp)
        {
            foreach (string format in parts.AsSpan(3))
            {
                int payloadType = SdpSessionDescription.ParseInt(format, "payload type");
                if (payloadType > 127)
                {
                    throw new SdpException($"payload type {payloadType} is above 127");
                }

                media.Formats.Add(payloadType);
            }
        }

        return media;
    }

    internal void ApplyAttribute(string name, string argument)
    {
        switch (name)
        {
            case "mid":
                Mid = argument.Length is > 0 and <= 32 ? argument : throw new SdpException("a=mid must be 1-32 characters");
                break;
            case "sendrecv" or "sendonly" or "recvonly" or "inactive":
                Direction = name;
                break;
            case "rtcp-mux":
                RtcpMux = true;
                break;
            case "simulcast":
                Simulcast = true;
                ApplySimulcast(argument);
                break;
            case "rtpmap":
                ApplyRtpMap(argument);
                break;
            case "fmtp":
                if (CodecFor(argument, out string rest) is { } codec)
                {
                    codec.Fmtp = rest;
                }

                break;
            case "rtcp-fb":
                if (CodecFor(argument, out string feedback) is { } fbCodec && fbCodec.Feedback.Count < 16)
                {
                    fbCodec.Feedback.Add(feedback);
                }

                break;
            case "extmap":
                ApplyExtMap(argument);
                break;
            case "ssrc":
                int space = argument.IndexOf(' ', StringComparison.Ordinal);
                if (uint.TryParse(space < 0 ? argument : argument[..space], out uint ssrc) && !Ssrcs.Contains(ssrc))
                {
                    Ssrcs.Add(Ssrcs.Count < MaxSsrcs ? ssrc : throw new SdpException($"a media section announces more than {MaxSsrcs} SSRCs"));
                }

                break;
            default:
                break;
        }
    }

    private void ApplySimulcast(string argument)
    {
        // a=simulcast:send <rid>[,<alt>];~<rid>... [recv ...] (RFC 8853 section 5.1)
        string[] parts = argument.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int send = Array.IndexOf(parts, "send");
        if (send < 0 || send + 1 >= parts.Length)
        {
            return;
        }

        SendRids.Clear();
        foreach (string layer in parts[send + 1].Split(';'))
        {
            string rid = layer.Split(',')[0].TrimStart('~');
            if (rid.Length is 0 or > 16 || !rid.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                throw new SdpException($"a=simulcast names an invalid RID \"{LogText.Untrusted(rid, 40)}\"");
            }

            if (SendRids.Count == MaxRids)
            {
                throw new SdpException($"a=simulcast offers more than {MaxRids} layers");
            }

            if (!SendRids.Contains(rid))
            {
                SendRids.Add(rid);
            }
        }
    }

    private void ApplyExtMap(string argument)
    {
        // a=extmap:<id>[/<direction>] <URI> [<attributes>]
        string[] parts = argument.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        int slash = parts.Length > 0 ? parts[0].IndexOf('/', StringComparison.Ordinal) : -1;
        if (parts.Length >= 2 && int.TryParse(slash < 0 ? parts[0] : parts[0][..slash], out int id) && id is >= 1 and <= 255
            && parts[1].Length <= 256 && Extensions.Count < MaxSsrcs)
        {
            Extensions.TryAdd(parts[1], id);
        }
    }

    private void ApplyRtpMap(string argument)
    {
        // a=rtpmap:<payload type> <encoding name>/<clock rate>[/<channels>]
        int space = argument.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0)
        {
            throw new SdpException($"a=rtpmap:{LogText.Untrusted(argument, 40)} needs a payload type and an encoding");
        }

        int payloadType = SdpSessionDescription.ParseInt(argument[..space], "a=rtpmap payload type");
        string[] encoding = argument[(space + 1)..].Split('/');
        if (encoding.Length < 2 || !Formats.Contains(payloadType))
        {
            return; // an rtpmap for a format the m= line does not list is ignored, as RFC 8866 says
        }

        int channels = encoding.Length > 2 ? SdpSessionDescription.ParseInt(encoding[2], "a=rtpmap channel count") : 1;
        Codecs[payloadType] = new RtpCodec(payloadType, encoding[0], SdpSessionDescription.ParseInt(encoding[1], "a=rtpmap clock rate"), channels);
    }

    private RtpCodec? CodecFor(string argument, out string rest)
    {
        int space = argument.IndexOf(' ', StringComparison.Ordinal);
        rest = space < 0 ? string.Empty : argument[(space + 1)..];
        return space > 0 && int.TryParse(argument[..space], out int payloadType) && Codecs.TryGetValue(payloadType, out var codec) ? codec : null;
    }
}

/// <summary>A payload type's codec as offered: rtpmap, fmtp and rtcp-fb lines.</summary>
public sealed class RtpCodec(int payloadType, string name, int clockRate, int channels)
{
    public int PayloadType { get; } = payloadType;

    public string Name { get; } = name;

    public int ClockRate { get; } = clockRate;

    public int Channels { get; } = channels;

    public string Fmtp { get; internal set; } = string.Empty;

    public List<string> Feedback { get; } = [];

    public bool Is(string name) => Name.Equals(name, StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether a video payload (after its RTP header) begins a keyframe: VP8, else H.264.</summary>
    public bool StartsKeyframe(ReadOnlySpan<byte> payload) =>
        Is("VP8") ? Media.Codecs.Vp8.Vp8RtpDepacketizer.StartsKeyframe(payload) : Media.Codecs.H264.H264RtpDepacketizer.StartsKeyframe(payload);

    /// <summary>The codec as the stream hub records it for forwarding readers.</summary>
    public Streaming.RtpTrackFormat Format => new(Name, ClockRate, Channels, Fmtp);

    /// <summary>A codec described by a hub track's format (no payload type: that is each session's own).</summary>
    public static RtpCodec From(Streaming.RtpTrackFormat format) => new(0, format.EncodingName, format.ClockRate, format.Channels) { Fmtp = format.Fmtp };

    /// <summary>The value of one fmtp parameter (<c>key=value;key=value</c>), or null.</summary>
    public string? FmtpParameter(string key)
    {
        foreach (var part in Fmtp.Split(';', StringSplitOptions.TrimEntries))
        {
            int equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && part.AsSpan(0, equals).Equals(key, StringComparison.OrdinalIgnoreCase))
            {
                return part[(equals + 1)..];
            }
        }

        return null;
    }

    /// <summary>H.264 packetization mode 1 (RFC 6184: STAP-A and FU-A), the only one browsers and Stagecast use.</summary>
    public bool IsH264NonInterleaved => Is("H264") && FmtpParameter("packetization-mode") == "1";

    /// <summary>profile_idc from profile-level-id (e.g. 0x42 for 42e01f), or -1.</summary>
    public int H264ProfileIdc =>
        FmtpParameter("profile-level-id") is { Length: 6 } id && int.TryParse(id.AsSpan(0, 2), System.Globalization.NumberStyles.HexNumber, null, out int idc) ? idc : -1;
}
