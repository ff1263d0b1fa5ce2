using System.Text.Json.Serialization;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Realtime;

/// <summary>The channel's REST answers, generated at compile time (the API's JSON options apply: <see cref="ApiJson"/>).</summary>
[JsonSerializable(typeof(ApiResponse<LobbyView>))]
internal sealed partial class RealtimeApiJsonContext : JsonSerializerContext;
