using Stagecast.Testing.WebRtc;
using Stagecast.WebRtc.Dtls;

namespace Stagecast.Bench;

/// <summary>Watching a meeting's peers over meeting WHEP, as the load tool's participants do.</summary>
internal static class MeetingClients
{
    /// <summary>A subscription to a peer's source, once the source is in the hub (its publisher's DTLS just completed).</summary>
    public static async Task<WhepClient> SubscribeAsync(HttpClient http, string url, string token, DtlsCertificate certificate)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return await WhepClient.ConnectAsync(http, url, certificate, bearer: token).WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (Stagecast.WebRtc.WebRtcProtocolException ex) when (attempt < 20 && ex.Message.Contains("404", StringComparison.Ordinal))
            {
                await Task.Delay(100);
            }
        }
    }
}
