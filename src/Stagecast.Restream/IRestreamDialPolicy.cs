using System.Net;

namespace Stagecast.Restream;

/// <summary>
/// Decides, at every connect, which addresses a destination's host may be dialled at (the server refuses private
/// networks and itself). An empty answer refuses the destination; its <c>last_error</c> then stays coarse, so an
/// output cannot be used to learn which ports of a private network are open.
/// </summary>
public interface IRestreamDialPolicy
{
    Task<IPAddress[]> AddressesAsync(string host, int port, CancellationToken cancellationToken);
}
