using System.Text.Json.Serialization;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Analytics;

/// <summary>The REST API's requests and answers of analytics answers, generated at compile time (the API's JSON options apply: <see cref="ApiJson"/>).</summary>
[JsonSerializable(typeof(ApiResponse<AnalyticsOverallDto>))]
[JsonSerializable(typeof(ApiResponse<DaywiseDto>))]
[JsonSerializable(typeof(ApiResponse<IReadOnlyList<AnalyticsDayDto>>))]
internal sealed partial class AnalyticsApiJsonContext : JsonSerializerContext;
