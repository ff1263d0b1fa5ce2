using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Stagecast.Testing;

/// <summary>A self-signed certificate for 127.0.0.1, written as PEM files for a TLS receiver.</summary>
public sealed record TestCertificate(string CertificateFile, string KeyFile, string Thumbprint)
{
    public static TestCertificate Create(string directory)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        string certificateFile = Path.Combine(directory, "cert.pem");
        string keyFile = Path.Combine(directory, "key.pem");
        File.WriteAllText(certificateFile, certificate.ExportCertificatePem());
        File.WriteAllText(keyFile, rsa.ExportPkcs8PrivateKeyPem());
        return new TestCertificate(certificateFile, keyFile, certificate.Thumbprint);
    }
}
