using Microsoft.Extensions.Options;

namespace Stagecast.FfmpegProcesses;

[OptionsValidator]
public sealed partial class FfmpegOptionsValidator : IValidateOptions<FfmpegOptions>;
