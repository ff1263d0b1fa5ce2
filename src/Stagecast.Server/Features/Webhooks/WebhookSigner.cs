using System.Security.Cryptography;
using Stagecast.Server.Hosting.Security;

namespace Stagecast.Server.Features.Webhooks;

/// <summary>
/// Signs webhook bodies as RealtimeKit does: <c>rtk-signature</c> is base64 RSA-SHA256 (PKCS#1 v1.5) over the exact
/// body bytes, under a 2048-bit key kept in the data directory; receivers verify with the public key published at
/// <c>/.well-known/webhooks.json</c>.
/// </summary>
public sealed class WebhookSigner
{
    public const string KeyFileName = "webhooks.key";
    private readonly Lazy<RSA> _key;

    /// <summary>The key is loaded (or made, on a first start) at first use: an idle server loads no cryptography library.</summary>
    public WebhookSigner(SecretStore secrets) => _key = new(() =>
    {
        byte[] pkcs8 = secrets.LoadOrCreate(KeyFileName, () =>
        {
            using var created = RSA.Create(2048);
            return created.ExportPkcs8PrivateKey();
        });
        var key = RSA.Create();
        key.ImportPkcs8PrivateKey(pkcs8, out _);
        return key;
    });

    public string PublicKeyPem => _key.Value.ExportSubjectPublicKeyInfoPem();

    public string Sign(byte[] body) => Convert.ToBase64String(_key.Value.SignData(body, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
}
