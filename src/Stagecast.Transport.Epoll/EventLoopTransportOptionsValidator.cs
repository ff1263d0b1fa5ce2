using Microsoft.Extensions.Options;

namespace Stagecast.Transport.Epoll;

/// <summary>Checks EventLoopTransportOptions's DataAnnotations with code generated at compile time (no reflection: the release is Native AOT).</summary>
[OptionsValidator]
public sealed partial class EventLoopTransportOptionsValidator : IValidateOptions<EventLoopTransportOptions>;
