namespace Stagecast.Server.Features.FirstStart;

/// <summary>STAGECAST_ACCOUNT_ID, STAGECAST_APP_ID, STAGECAST_API_TOKEN: identities to create at start when missing.</summary>
public sealed class BootstrapOptions
{
    public string? AccountId { get; set; }

    public string? AppId { get; set; }

    public string? ApiToken { get; set; }
}
