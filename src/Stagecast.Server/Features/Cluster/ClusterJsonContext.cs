using System.Text.Json.Serialization;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Cluster;

/// <summary>
/// The nodes as <c>GET /cluster/nodes</c> shows them and as each heartbeat stores them in Redis, and the requests
/// between nodes: the API's JSON, generated at compile time.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    Converters = [typeof(ApiJson.UtcTimeConverter)])]
[JsonSerializable(typeof(ClusterNodeInfo))]
[JsonSerializable(typeof(ApiResponse<IReadOnlyList<ClusterNodeInfo>>))]
[JsonSerializable(typeof(NodeRequest))]
[JsonSerializable(typeof(NodeAnswer))]
public sealed partial class ClusterJsonContext : JsonSerializerContext;
