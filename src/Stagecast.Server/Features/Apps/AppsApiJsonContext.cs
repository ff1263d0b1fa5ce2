using System.Text.Json.Serialization;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Apps;

/// <summary>The REST API's requests and answers of apps, generated at compile time (the API's JSON options apply: <see cref="ApiJson"/>).</summary>
[JsonSerializable(typeof(CreateAppRequest))]
[JsonSerializable(typeof(PatchAppRequest))]
[JsonSerializable(typeof(ApiResponse<AppDto>))]
[JsonSerializable(typeof(ApiListResponse<AppDto>))]
[JsonSerializable(typeof(ApiResponse<CreatedAppDto>))]
internal sealed partial class AppsApiJsonContext : JsonSerializerContext;
