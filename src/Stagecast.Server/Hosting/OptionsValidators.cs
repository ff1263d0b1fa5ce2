using Microsoft.Extensions.Options;

namespace Stagecast.Server.Hosting;

// The shared settings, each checked by its DataAnnotations with code generated at compile time (no reflection: the
// release is a Native AOT binary). Registered next to each settings section with ValidateWith<TOptions, TValidator>();
// a feature's settings have their validator beside them.

[OptionsValidator]
public sealed partial class ServerOptionsValidator : IValidateOptions<ServerOptions>;

[OptionsValidator]
public sealed partial class HttpsOptionsValidator : IValidateOptions<Tls.HttpsOptions>;

[OptionsValidator]
public sealed partial class HttpConnectionOptionsValidator : IValidateOptions<Api.HttpConnectionOptions>;

[OptionsValidator]
public sealed partial class AccountingOptionsValidator : IValidateOptions<AccountingOptions>;
