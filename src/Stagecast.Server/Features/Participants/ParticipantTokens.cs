using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Stagecast.Server.Hosting.Api;
using Stagecast.Server.Hosting.Security;

namespace Stagecast.Server.Features.Participants;

/// <summary>
/// Participant tokens: compact JWTs (RFC 7519) signed with ES256 (ECDSA P-256, SHA-256; RFC 7518 section 3.4) under
/// a key kept in the data directory. Claims: <c>participantId</c>, <c>meetingId</c>, <c>appId</c>, <c>orgId</c> (the
/// account), <c>jti</c> (the participant's current token id), <c>iat</c>, <c>exp</c>, and for a person moved between meetings of a group
/// <c>moved_until</c>. Only ES256 is accepted, so a
/// token cannot choose a weaker algorithm ("alg": "none").
/// </summary>
public sealed class ParticipantTokens(ECDsa key, TimeProvider time)
{
    public const string KeyFileName = "participant-tokens.key";
    public const int MaxTokenLength = 4096;
    private static readonly string Header = Base64Url.EncodeToString("""{"alg":"ES256","typ":"JWT"}"""u8);

    /// <summary>The signing key from the data directory, created (owner-only) on first use.</summary>
    public static ECDsa LoadOrCreateKey(SecretStore secrets)
    {
        byte[] pkcs8 = secrets.LoadOrCreate(KeyFileName, () =>
        {
            using var created = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            return created.ExportPkcs8PrivateKey();
        });
        var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(pkcs8, out _);
        return key;
    }

    public string Issue(ParticipantTokenClaims claims)
    {
        using var payload = new MemoryStream();
        using (var writer = new Utf8JsonWriter(payload))
        {
            writer.WriteStartObject();
            writer.WriteString("sub", claims.ParticipantId);
            writer.WriteString("participantId", claims.ParticipantId);
            writer.WriteString("meetingId", claims.MeetingId);
            writer.WriteString("appId", claims.AppId);
            writer.WriteString("orgId", claims.OrgId);
            writer.WriteString("jti", claims.TokenId);
            writer.WriteNumber("iat", time.GetUtcNow().ToUnixTimeSeconds());
            writer.WriteNumber("exp", claims.ExpiresAt.ToUnixTimeSeconds());
            if (claims.MovedUntil is { } movedUntil)
            {
                writer.WriteNumber("moved_until", movedUntil.ToUnixTimeSeconds());
            }
            writer.WriteEndObject();
        }

        string signingInput = Header + "." + Base64Url.EncodeToString(payload.ToArray());
        byte[] signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>
    /// The participant token a request carries: <c>?token=</c>, <c>?authToken=</c> (RealtimeKit's socket; browsers
    /// cannot set headers on a WebSocket) or <c>Authorization: Bearer</c>; null when it carries none.
    /// </summary>
    public static string? Of(HttpRequest request) =>
        (request.Query["token"].LastOrDefault() ?? request.Query["authToken"].LastOrDefault()) is { Length: > 0 } query ? query : BearerToken.From(request);

    /// <summary>The claims of a well-formed, correctly signed token that has not expired; null for anything else.</summary>
    public ParticipantTokenClaims? Validate(string token)
    {
        if (token.Length > MaxTokenLength || token.Split('.') is not [var header, var payload, var signature])
        {
            return null;
        }

        try
        {
            using var headerJson = JsonDocument.Parse(Base64Url.DecodeFromChars(header));
            if (headerJson.RootElement.ValueKind != JsonValueKind.Object
                || !headerJson.RootElement.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String || alg.GetString() != "ES256")
            {
                return null;
            }

            byte[] signingInput = Encoding.ASCII.GetBytes(token[..(header.Length + 1 + payload.Length)]);
            if (!key.VerifyData(signingInput, Base64Url.DecodeFromChars(signature), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            {
                return null;
            }

            using var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(payload));
            var root = claims.RootElement;
            var expires = DateTimeOffset.FromUnixTimeSeconds(root.GetProperty("exp").GetInt64());
            DateTimeOffset? moved = root.TryGetProperty("moved_until", out var until) ? DateTimeOffset.FromUnixTimeSeconds(until.GetInt64()) : null;
            return expires <= time.GetUtcNow()
                ? null
                : new ParticipantTokenClaims(Text(root, "participantId"), Text(root, "meetingId"), Text(root, "appId"), Text(root, "orgId"), Text(root, "jti"), expires, moved);
        }
        catch (Exception ex) when (ex is FormatException or JsonException or KeyNotFoundException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }

    private static string Text(JsonElement root, string name) =>
        root.GetProperty(name) is { ValueKind: JsonValueKind.String } value ? value.GetString()! : throw new FormatException($"claim {name} is not a string");
}
