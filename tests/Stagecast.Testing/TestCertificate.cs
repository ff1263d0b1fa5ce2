using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Stagecast.Testing;

/// <summary>
/// A certificate written as PEM files for a TLS receiver: the certificate file holds the leaf (then its CA, if any),
/// the key file the leaf's key. <see cref="SpkiPin"/> is the base64 SHA-256 of the leaf's SubjectPublicKeyInfo, what
/// Chromium's <c>--ignore-certificate-errors-spki-list</c> takes to trust it.
/// </summary>
public sealed record TestCertificate(string CertificateFile, string KeyFile, string Thumbprint, string SpkiPin, string? AuthorityFile = null)
{
    private static readonly string[] RealtimeKitHostPrefixes = ["api.", "socket-edge.", "location.", "location-legacy.", "da-collector.", "api-silos."];

    /// <summary>A self-signed RSA certificate for 127.0.0.1.</summary>
    public static TestCertificate Create(string directory)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return Write(directory, certificate, rsa.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>
    /// An EC P-256 leaf for <paramref name="domain"/>, every name under it (<c>api.</c>, <c>socket-edge.</c>) and
    /// 127.0.0.1, signed by a throwaway CA (<see cref="AuthorityFile"/>) that nothing trusts until a browser is told to.
    /// Browsers take no wildcard directly under a top-level name (<c>*.localhost</c>): for one without a dot, the names
    /// RealtimeKit's SDK derives from it are listed one by one, as docs/realtimekit.md tells a user to.
    /// </summary>
    public static TestCertificate CreateForDomain(string directory, string domain)
    {
        var validFrom = DateTimeOffset.UtcNow.AddMinutes(-5);
        var validTo = DateTimeOffset.UtcNow.AddDays(1);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest($"CN=Stagecast test CA {Guid.NewGuid():N}", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(validFrom, validTo.AddMinutes(5));

        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest($"CN={domain}", leafKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(domain);
        foreach (string prefix in domain.Contains('.', StringComparison.Ordinal) ? ["*."] : RealtimeKitHostPrefixes)
        {
            names.AddDnsName(prefix + domain);
        }

        names.AddIpAddress(IPAddress.Loopback);
        leafRequest.CertificateExtensions.Add(names.Build());
        leafRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        leafRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([Oid.FromOidValue("1.3.6.1.5.5.7.3.1", OidGroup.EnhancedKeyUsage)], false));
        using var leaf = leafRequest.Create(ca, validFrom, validTo, RandomNumberGenerator.GetBytes(16));
        return Write(directory, leaf, leafKey.ExportPkcs8PrivateKeyPem(), ca);
    }

    private static TestCertificate Write(string directory, X509Certificate2 leaf, string keyPem, X509Certificate2? ca = null)
    {
        string certificateFile = Path.Combine(directory, "cert.pem");
        string keyFile = Path.Combine(directory, "key.pem");
        File.WriteAllText(certificateFile, leaf.ExportCertificatePem() + "\n" + ca?.ExportCertificatePem());
        File.WriteAllText(keyFile, keyPem);
        string? authorityFile = null;
        if (ca is not null)
        {
            authorityFile = Path.Combine(directory, "ca.pem");
            File.WriteAllText(authorityFile, ca.ExportCertificatePem());
        }

        string spkiPin = Convert.ToBase64String(SHA256.HashData(leaf.PublicKey.ExportSubjectPublicKeyInfo()));
        return new TestCertificate(certificateFile, keyFile, leaf.Thumbprint, spkiPin, authorityFile);
    }
}
