using System.Collections;
using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Tls;
using Stagecast.WebRtc.Dtls;
using Stagecast.WebRtc.Srtp;
using HashAlgorithm = Org.BouncyCastle.Crypto.Tls.HashAlgorithm;

namespace Stagecast.Testing.WebRtc;

/// <summary>The DTLS client side of DTLS-SRTP for <see cref="WebRtcClient"/>: offers both SRTP profiles, checks the server's fingerprint.</summary>
internal sealed class DtlsSrtpClient(DtlsCertificate certificate, byte[] serverFingerprint) : DefaultTlsClient
{
    private DtlsCertificate Certificate => certificate;

    private byte[] ServerFingerprint => serverFingerprint;

    public byte[]? KeyingMaterial { get; private set; }

    public SrtpProfile Profile { get; private set; }

    public override ProtocolVersion ClientVersion => ProtocolVersion.DTLSv12;

    public override ProtocolVersion MinimumVersion => ProtocolVersion.DTLSv10;

    public override int[] GetCipherSuites() =>
        [CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256];

    public override IDictionary GetClientExtensions()
    {
        var extensions = TlsExtensionsUtilities.EnsureExtensionsInitialised(base.GetClientExtensions());
        TlsSRTPUtils.AddUseSrtpExtension(extensions, new UseSrtpData(
            [SrtpProtectionProfile.SRTP_AEAD_AES_128_GCM, SrtpProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80], TlsUtilities.EmptyBytes));
        return extensions;
    }

    public override void ProcessServerExtensions(IDictionary serverExtensions)
    {
        base.ProcessServerExtensions(serverExtensions);
        int[] chosen = TlsSRTPUtils.GetUseSrtpExtension(serverExtensions)?.ProtectionProfiles ?? [];
        Profile = chosen.Length == 1 && chosen[0] == SrtpProtectionProfile.SRTP_AEAD_AES_128_GCM ? SrtpProfile.AeadAes128Gcm : SrtpProfile.AesCm128HmacSha1_80;
    }

    /// <summary>The fatal alert that ended a failed handshake and which side raised it (the exception reads the same for both).</summary>
    public string? FatalAlert { get; private set; }

    public override TlsAuthentication GetAuthentication() => new Authentication(this);

    public override void NotifyAlertReceived(byte alertLevel, byte alertDescription)
    {
        base.NotifyAlertReceived(alertLevel, alertDescription);
        if (alertLevel == AlertLevel.fatal)
        {
            FatalAlert = $"the server sent {AlertDescription.GetText(alertDescription)}";
        }
    }

    public override void NotifyAlertRaised(byte alertLevel, byte alertDescription, string message, Exception cause)
    {
        base.NotifyAlertRaised(alertLevel, alertDescription, message, cause);
        if (alertLevel == AlertLevel.fatal)
        {
            // the cause, if any, is the exception's inner one, which the caller names
            FatalAlert = $"the client raised {AlertDescription.GetText(alertDescription)}" + (message is null ? "" : $": {message}");
        }
    }

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        KeyingMaterial = mContext.ExportKeyingMaterial(ExporterLabel.dtls_srtp, null, 2 * (SrtpProfileExtensions.KeyLength + Profile.SaltLength()));
    }

    private sealed class Authentication(DtlsSrtpClient client) : TlsAuthentication
    {
        public void NotifyServerCertificate(Certificate serverCertificate)
        {
            byte[] der = serverCertificate.GetCertificateAt(0).GetDerEncoded();
            if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(der), client.ServerFingerprint))
            {
                throw new TlsFatalAlert(AlertDescription.bad_certificate);
            }
        }

        public TlsCredentials GetClientCredentials(CertificateRequest certificateRequest) =>
            new DefaultTlsSignerCredentials(client.mContext, client.Certificate.Certificate, client.Certificate.PrivateKey,
                new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
    }
}
