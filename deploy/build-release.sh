#!/usr/bin/env bash
# Builds the release: a Native AOT binary for linux-x64 (no .NET needed on the target; machine code, no JIT), with
# SQLite's native library beside it and the systemd unit, in artifacts/release/stagecast-VERSION-linux-x64.tar.gz.
# Usage: deploy/build-release.sh [OUTPUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' src/Stagecast.Server/Stagecast.Server.csproj)
name="stagecast-$version-linux-x64"
out="${1:-artifacts/release}/$name"
rm -rf "$out"
# A build tree of its own: never touches the bin/ and obj/ that `dotnet run` and the tests use.
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT

# Native AOT (bench/README.md, "Idle and startup": a third of the memory and a tenth of the start-up time of the JIT
# build). Stagecast's own assemblies are checked by the trim and AOT analyzers in every build; IL2104/IL3053 only
# summarise the warnings inside Dapper (its IL-emitting mapper, which Dapper.AOT's generated code replaces, checked by
# NativeAotGuardTests) and BouncyCastle (Enum.GetValues, whose arrays Hosting/NativeAot.rd.xml keeps); IL3000 is
# Whisper.net's native-library lookup by its assembly's location, which WhisperRecognizer sidesteps by naming the
# bundled libwhisper.so itself. No EventSource:
# /metrics is the server's telemetry, and it saves 1.4 MB of binary and 2 MB of idle memory (bench/README.md).
# RunAnalyzers=false: the analyzers (style, .NET's rules, trim and AOT) check every ordinary build; here the compiler
# only runs the source generators and compiles, which halves the C# part of this build (79 s to 38 s of compiling).
dotnet publish src/Stagecast.Server -c Release -r linux-x64 --artifacts-path "$build" -p:PublishAot=true -p:EventSourceSupport=false \
  -p:NoWarn='"$(NoWarn);IL2104;IL3053;IL3000"' -p:DebugType=none -p:StripSymbols=true -p:StaticWebAssetsEnabled=false -p:RunAnalyzers=false \
  -o "$out" >/dev/null

mv "$out/Stagecast.Server" "$out/stagecast"
rm -f "$out"/*.json "$out"/*.pdb "$out"/*.dbg
# Whisper.net's runtime package brings every platform's native libraries (and Apple's Metal shader): the release is
# linux-x64's alone.
find "$out/runtimes" -mindepth 1 -maxdepth 1 ! -name linux-x64 -exec rm -rf {} +
rm -f "$out/ggml-metal.metal"
cp deploy/stagecast.service "$out/"
cp src/Stagecast.Server/Web/assets/hls.js.LICENSE "$out/"
tar -czf "$out.tar.gz" -C "$(dirname "$out")" "$name"
echo "$out/stagecast"
