namespace Stagecast.Testing;

/// <summary>
/// A server's certificate and key in a directory of their own, deleted with it: what a test of the server's TLS
/// listeners starts the server with (<see cref="ServerFlags"/>), renewed in place as certbot or Caddy would. Without a
/// domain, a self-signed certificate for 127.0.0.1; with one, a CA-signed leaf for the domain and every name under it
/// (<see cref="TestCertificate.CreateForDomain"/>).
/// </summary>
public sealed class TlsFiles : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("stagecast-tls-").FullName;
    private readonly string? _domain;

    public TlsFiles(string? domain = null)
    {
        _domain = domain;
        Certificate = Create();
    }

    public TestCertificate Certificate { get; private set; }

    /// <summary>
    /// The flags of a server with these files and its TLS listeners on ephemeral ports: HTTPS, and RTMPS, which a
    /// certificate turns on at 1936 otherwise (two such test servers at once collided there).
    /// </summary>
    public string[] ServerFlags => ["--tls-cert", Certificate.CertificateFile, "--tls-key", Certificate.KeyFile, "--https-port", "0", "--rtmps-port", "0"];

    /// <summary>Writes a new certificate and key over the files.</summary>
    public TestCertificate Renew() => Certificate = Create();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private TestCertificate Create() => _domain is null ? TestCertificate.Create(_directory) : TestCertificate.CreateForDomain(_directory, _domain);
}
