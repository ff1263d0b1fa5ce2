#!/usr/bin/env bash
# Builds the release: a self-contained single-file binary for linux-x64 (no .NET needed on the target), with the
# systemd unit, in artifacts/release/stagecast-VERSION-linux-x64.tar.gz. Usage: deploy/build-release.sh [OUTPUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' src/Stagecast.Server/Stagecast.Server.csproj)
name="stagecast-$version-linux-x64"
out="${1:-artifacts/release}/$name"
rm -rf "$out"
# A build tree of its own: never touches the bin/ and obj/ that `dotnet run` and the tests use.
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT

dotnet publish src/Stagecast.Server -c Release -r linux-x64 --self-contained --artifacts-path "$build" \
  -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true \
  -p:DebugType=none -p:StaticWebAssetsEnabled=false -o "$out" >/dev/null

mv "$out/Stagecast.Server" "$out/stagecast"
rm -f "$out"/*.json
cp deploy/stagecast.service "$out/"
cp src/Stagecast.Server/Web/assets/hls.js.LICENSE "$out/"
tar -czf "$out.tar.gz" -C "$(dirname "$out")" "$name"
echo "$out/stagecast"
