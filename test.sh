#!/usr/bin/env bash
# Runs every Stagecast test. Installs what the tests need (ffmpeg, from apt) when it is missing.
# Extra arguments go to `dotnet test`, e.g. ./test.sh --filter "FullyQualifiedName~Rtmp".
set -euo pipefail
cd "$(dirname "$0")"

missing=()
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
command -v ffprobe >/dev/null 2>&1 || missing+=(ffmpeg)

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "Installing test dependencies: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

dotnet test Stagecast.slnx -c Release "$@"
