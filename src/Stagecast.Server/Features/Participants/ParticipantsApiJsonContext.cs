using System.Text.Json.Serialization;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Participants;

/// <summary>The REST API's requests and answers of participants, generated at compile time (the API's JSON options apply: <see cref="ApiJson"/>).</summary>
[JsonSerializable(typeof(AddParticipantRequest))]
[JsonSerializable(typeof(UpdateParticipantRequest))]
[JsonSerializable(typeof(ApiListResponse<ParticipantDto>))]
[JsonSerializable(typeof(ApiResponse<ParticipantDto>))]
[JsonSerializable(typeof(ApiResponse<TokenDto>))]
internal sealed partial class ParticipantsApiJsonContext : JsonSerializerContext;
