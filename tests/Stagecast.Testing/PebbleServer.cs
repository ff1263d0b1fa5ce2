using System.Globalization;

namespace Stagecast.Testing;

/// <summary>
/// Debian's pebble, the ACME test CA, on loopback: it issues certificates from its own throwaway CA, validating no
/// challenge (<c>PEBBLE_VA_ALWAYS_VALID</c>), so an ACME client's whole order runs on one machine. Its directory is
/// served over TLS with a certificate of the test's (<see cref="RootPem"/> trusts it). Stopped on dispose.
/// </summary>
public sealed class PebbleServer : IAsyncDisposable
{
    private readonly ExternalProcess _process;
    private readonly string _directory;

    private PebbleServer(ExternalProcess process, string directory, int port, int managementPort, string rootPem)
    {
        _process = process;
        _directory = directory;
        Port = port;
        ManagementPort = managementPort;
        RootPem = rootPem;
    }

    public int Port { get; }

    public int ManagementPort { get; }

    /// <summary>The root of the CA pebble issues from (made anew at each start), from its management API.</summary>
    public async Task<System.Security.Cryptography.X509Certificates.X509Certificate2> IssuingRootAsync()
    {
        using var http = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true });
        return System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(await http.GetStringAsync($"https://127.0.0.1:{ManagementPort}/roots/0"));
    }

    public string DirectoryUrl => $"https://127.0.0.1:{Port}/dir";

    /// <summary>The certificate pebble's own HTTPS listener shows (what a client of its directory must trust).</summary>
    public string RootPem { get; }

    public static async Task<PebbleServer> StartAsync()
    {
        string directory = Directory.CreateTempSubdirectory("stagecast-pebble-").FullName;
        var certificate = TestCertificate.Create(directory);
        int port = FreePorts.Next(), management = FreePorts.Next();
        string config = Path.Combine(directory, "pebble-config.json");
        await File.WriteAllTextAsync(config, $$"""
            {"pebble": {"listenAddress": "127.0.0.1:{{port.ToString(CultureInfo.InvariantCulture)}}", "managementListenAddress": "127.0.0.1:{{management.ToString(CultureInfo.InvariantCulture)}}",
             "certificate": "{{certificate.CertificateFile}}", "privateKey": "{{certificate.KeyFile}}",
             "httpPort": {{FreePorts.Next().ToString(CultureInfo.InvariantCulture)}}, "tlsPort": {{FreePorts.Next().ToString(CultureInfo.InvariantCulture)}},
             "ocspResponderURL": "", "externalAccountBindingRequired": false} }
            """);
        var process = ExternalProcess.Start("pebble", ["-config", config],
            new Dictionary<string, string> { ["PEBBLE_VA_ALWAYS_VALID"] = "1", ["PEBBLE_VA_NOSLEEP"] = "1", ["PEBBLE_WFE_NONCEREJECT"] = "0" });
        var pebble = new PebbleServer(process, directory, port, management, certificate.CertificateFile);
        try
        {
            await Eventually.TrueAsync(() => process.HasExited
                ? throw new InvalidOperationException($"pebble exited: {process.StandardOutput}{process.StandardError}")
                : (process.StandardOutput + process.StandardError).Contains("Listening on", StringComparison.Ordinal), "pebble to listen");
        }
        catch
        {
            await pebble.DisposeAsync();
            throw;
        }

        return pebble;
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
