namespace Stagecast.Testing;

/// <summary>
/// A server's certificate and key in a directory of their own, deleted with it: what a test of the server's TLS
/// listeners starts the server with (<see cref="ServerFlags"/>), renewed in place as certbot or Caddy would.
/// </summary>
public sealed class TlsFiles : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("stagecast-tls-").FullName;

    public TlsFiles() => Certificate = TestCertificate.Create(_directory);

    public TestCertificate Certificate { get; private set; }

    /// <summary>The flags of a server with HTTPS on an ephemeral port and these files.</summary>
    public string[] ServerFlags => ["--tls-cert", Certificate.CertificateFile, "--tls-key", Certificate.KeyFile, "--https-port", "0"];

    /// <summary>Writes a new certificate and key over the files.</summary>
    public TestCertificate Renew() => Certificate = TestCertificate.Create(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
