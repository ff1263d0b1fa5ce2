using Microsoft.Extensions.Options;
using Stagecast.Server.Features.Cluster;
using Stagecast.Server.Features.MeetingMedia;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Features.Participants;
using Stagecast.Server.Features.Realtime;
using Stagecast.Server.Features.Recordings;
using Stagecast.Server.Features.RoomStreams;
using Stagecast.Server.Features.Webhooks;

namespace Stagecast.Server.Hosting;

// The server's settings, each checked by its DataAnnotations with code generated at compile time (no reflection: the
// release is a Native AOT binary). Registered next to each settings section with ValidateWith<TOptions, TValidator>().

[OptionsValidator]
public sealed partial class ServerOptionsValidator : IValidateOptions<ServerOptions>;

[OptionsValidator]
public sealed partial class HttpsOptionsValidator : IValidateOptions<Tls.HttpsOptions>;

[OptionsValidator]
public sealed partial class HttpConnectionOptionsValidator : IValidateOptions<Api.HttpConnectionOptions>;

[OptionsValidator]
public sealed partial class SessionAccountingOptionsValidator : IValidateOptions<SessionAccountingOptions>;

[OptionsValidator]
public sealed partial class ClusterOptionsValidator : IValidateOptions<ClusterOptions>;

[OptionsValidator]
public sealed partial class ChatOptionsValidator : IValidateOptions<ChatOptions>;

[OptionsValidator]
public sealed partial class MeetingMediaOptionsValidator : IValidateOptions<MeetingMediaOptions>;

[OptionsValidator]
public sealed partial class ParticipantOptionsValidator : IValidateOptions<ParticipantOptions>;

[OptionsValidator]
public sealed partial class RealtimeOptionsValidator : IValidateOptions<RealtimeOptions>;

[OptionsValidator]
public sealed partial class RecordingsOptionsValidator : IValidateOptions<RecordingsOptions>;

[OptionsValidator]
public sealed partial class RoomStreamsOptionsValidator : IValidateOptions<RoomStreamsOptions>;

[OptionsValidator]
public sealed partial class WebhookOptionsValidator : IValidateOptions<WebhookOptions>;

[OptionsValidator]
public sealed partial class TurnOptionsValidator : IValidateOptions<Features.WebRtc.TurnOptions>;
