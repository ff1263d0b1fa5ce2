#!/usr/bin/env bash
# Stagecast against nginx-rtmp on the same machine, side by side, same workload.
# Installs what it needs (ffmpeg, nginx with the RTMP module, Varnish) when missing, builds in Release and runs
# bench/Stagecast.Bench. Writes bench/results/<date>.{md,json} and the table into bench/README.md.
#   bench/run.sh            full run (about 80 minutes on 2 cores by calculation, the release binary's build included)
#   bench/run.sh --quick    short run (about 3 minutes; figures not comparable)
#   bench/run.sh --scenario smoke   every measurement path once, checked to work, no figure judged (under a minute; CI runs it)
#   bench/run.sh --scenario idle    the JIT build, the release binary and nginx-rtmp idle, and from start to the first playlist
# --no-build first: use the Release build already there (test.sh builds the solution before its tests).
# Other options: --servers stagecast,nginx  --scenario load,edge,throughput,ramp,meeting-side (or alone: smoke, idle, glass, llhls, webrtc, meeting, compositor, webinar, transcode, record, soak, edge-cache, transcription,
#                meeting-side: the main run's meeting-side table alone)  --variant 0|1
#                --counts 1,10,100  --warmup S  --window S  --nginx-workers N  --no-readme
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
command -v ffmpeg >/dev/null 2>&1 || packages+=(ffmpeg)
[ -f /usr/lib/nginx/modules/ngx_rtmp_module.so ] || packages+=(nginx libnginx-mod-rtmp)
if [[ "$*" == *edge-cache* ]]; then command -v varnishd >/dev/null 2>&1 || packages+=(varnish); fi
# The meeting side (the default run, or --scenario meeting-side or transcription) speaks with espeak-ng to PocketSphinx.
if [[ "$*" != *--scenario* || "$*" == *meeting-side* || "$*" == *transcription* ]]; then
  packages+=($(sh tests/speech-packages.sh))
fi
if [ ${#packages[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
if [ "${1:-}" = "--no-build" ]; then
  shift # test.sh has built the solution in Release, and its tests are running from those files
else
  dotnet build src/Stagecast.Server -c Release -v quiet -nologo
  dotnet build bench/Stagecast.Bench -c Release -v quiet -nologo
fi
# The meeting side's speech figures use the tests' whisper model (fetched once, about 15 s); without it PocketSphinx alone.
sh tests/models/fetch-whisper-tiny.sh tests/models >/dev/null || echo "bench: no whisper model (tests/models/fetch-whisper-tiny.sh failed): PocketSphinx alone"
exec dotnet run --project bench/Stagecast.Bench -c Release --no-build -- "$@"
