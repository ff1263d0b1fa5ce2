using System.Net;
using System.Security.Cryptography;

namespace Stagecast.Testing;

/// <summary>
/// A network namespace joined to this host by a veth pair, as a user's machine behind a real link: what runs inside it
/// (Chromium, through <see cref="Executable"/>) reaches the host only at <see cref="HostAddress"/>, and its downlink and
/// uplink are limited with tc as a phone on 4G or a hotel's Wi-Fi would be (its downlink's media also lossy and late
/// when asked). Needs root (CAP_NET_ADMIN); the namespace, its link and the wrapper go when disposed.
/// </summary>
public sealed class ShapedLink : IAsyncDisposable
{
    private readonly string _hostDevice;
    private readonly string _device;
    private readonly string _folder;
    private PacketImpairment? _impairment;

    private ShapedLink(string name, IPAddress hostAddress, IPAddress address, string folder)
    {
        Namespace = $"sc-{name}";
        _hostDevice = $"sch{name}";
        _device = $"scn{name}";
        HostAddress = hostAddress;
        Address = address;
        _folder = folder;
        Executable = Path.Combine(folder, "chromium");
    }

    /// <summary>The namespace's name (<c>ip netns</c>).</summary>
    public string Namespace { get; }

    /// <summary>The host's end of the link: what inside the namespace reaches the host by.</summary>
    public IPAddress HostAddress { get; }

    /// <summary>The namespace's end of the link.</summary>
    public IPAddress Address { get; }

    /// <summary>Chromium run inside the namespace (a script: <c>ip netns exec</c>, then Debian's Chromium).</summary>
    public string Executable { get; }

    /// <summary>A namespace and its link, unshaped, on a /30 of 10.213.0.0/16 picked at random (tests run side by side).</summary>
    public static async Task<ShapedLink> CreateAsync()
    {
        string name = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        int subnet = RandomNumberGenerator.GetInt32(16384) * 4;
        var host = new IPAddress([10, 213, (byte)(subnet >> 8), (byte)(subnet + 1)]);
        var inside = new IPAddress([10, 213, (byte)(subnet >> 8), (byte)(subnet + 2)]);
        var link = new ShapedLink(name, host, inside, Directory.CreateTempSubdirectory("stagecast-link-").FullName);
        try
        {
            await IpAsync("netns", "add", link.Namespace);
            await IpAsync("link", "add", link._hostDevice, "type", "veth", "peer", "name", link._device);
            await IpAsync("link", "set", link._device, "netns", link.Namespace);
            await IpAsync("addr", "add", $"{host}/30", "dev", link._hostDevice);
            await IpAsync("link", "set", link._hostDevice, "up");
            await IpAsync("-n", link.Namespace, "addr", "add", $"{inside}/30", "dev", link._device);
            await IpAsync("-n", link.Namespace, "link", "set", link._device, "up");
            await IpAsync("-n", link.Namespace, "link", "set", "lo", "up");
            string chromium = File.Exists("/usr/lib/chromium/chromium") ? "/usr/lib/chromium/chromium" : "/usr/bin/chromium";
            await File.WriteAllTextAsync(link.Executable, $"#!/bin/sh\nexec ip netns exec {link.Namespace} {chromium} \"$@\"\n");
            if (OperatingSystem.IsLinux()) // as everything here: network namespaces are Linux's
            {
                File.SetUnixFileMode(link.Executable, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            return link;
        }
        catch
        {
            await link.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Limits what the host sends into the namespace (the downlink of what runs inside) to <paramref name="kbps"/>, with
    /// a queue of at most <paramref name="queueMs"/> and bursts of <paramref name="burstKb"/> (200 ms and 16 KB, as a
    /// real bottleneck's buffer; a shallow one drops the bursts that do not fit); null lifts the limit.
    /// </summary>
    public async Task DownAsync(int? kbps, int queueMs = 200, int burstKb = 16)
    {
        await RunAsync("tc", ["qdisc", "del", "dev", _hostDevice, "root"], mustSucceed: false);
        if (kbps is { } rate)
        {
            await RunAsync("tc", ["qdisc", "add", "dev", _hostDevice, "root", "tbf", "rate", $"{rate}kbit", "burst", $"{burstKb}kb", "latency", $"{queueMs}ms"]);
        }
    }

    /// <summary>
    /// Limits what runs inside sends to the host (its uplink) to <paramref name="kbps"/>, with a queue of at most 200 ms
    /// and bursts of 16 KB, as <see cref="DownAsync"/> does the other way; null lifts the limit.
    /// </summary>
    public async Task UpAsync(int? kbps)
    {
        await RunAsync("tc", ["-n", Namespace, "qdisc", "del", "dev", _device, "root"], mustSucceed: false);
        if (kbps is { } rate)
        {
            await RunAsync("tc", ["-n", Namespace, "qdisc", "add", "dev", _device, "root", "tbf", "rate", $"{rate}kbit", "burst", "16kb", "latency", "200ms"]);
        }
    }

    /// <summary>
    /// Drops at random with the chance <paramref name="loss"/> (0 to 1) and delays by <paramref name="delay"/> the UDP
    /// packets the host sends into the namespace (the media of its downlink), as netem's loss and delay would
    /// (<see cref="PacketImpairment"/>: this machine's kernel has no netem); until the link goes or this is called again.
    /// </summary>
    public async Task<PacketImpairment> ImpairDownAsync(double loss, TimeSpan delay)
    {
        if (_impairment is not null)
        {
            await _impairment.DisposeAsync();
        }

        return _impairment = await PacketImpairment.StartAsync(_hostDevice, loss, delay);
    }

    /// <summary>The packets a queue dropped since it was last shaped, as <see cref="QueueAsync"/> tells it (tc's <c>dropped</c>).</summary>
    public static long Dropped(string queue) =>
        System.Text.RegularExpressions.Regex.Match(queue, @"dropped (\d+)") is { Success: true } match
            ? long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;

    /// <summary>What tc says of the downlink's queue (sent, dropped, over limits): for a failure's message.</summary>
    public async Task<string> QueueAsync()
    {
        var (_, down, _) = await ExternalProcess.RunAsync("tc", ["-s", "qdisc", "show", "dev", _hostDevice], TimeSpan.FromSeconds(10));
        return down.Trim();
    }

    public async ValueTask DisposeAsync()
    {
        if (_impairment is not null)
        {
            await _impairment.DisposeAsync();
        }

        await RunAsync("ip", ["netns", "del", Namespace], mustSucceed: false); // takes the veth pair with it
        await RunAsync("ip", ["link", "del", _hostDevice], mustSucceed: false);
        Directory.Delete(_folder, recursive: true);
    }

    private static Task IpAsync(params string[] arguments) => RunAsync("ip", arguments);

    /// <summary>Runs one of the commands that make, shape or impair a link (ip, tc, iptables); a failure says what they need.</summary>
    internal static async Task RunAsync(string command, string[] arguments, bool mustSucceed = true)
    {
        var (exitCode, _, error) = await ExternalProcess.RunAsync(command, arguments, TimeSpan.FromSeconds(30));
        if (exitCode != 0 && mustSucceed)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} failed ({exitCode}): {error.Trim()} " +
                "(shaped links need root, CAP_NET_ADMIN, and their loss and delay iptables)");
        }
    }
}
