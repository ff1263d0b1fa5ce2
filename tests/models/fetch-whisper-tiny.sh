#!/bin/sh
# Fetches a real, trained whisper.cpp model, ggml-tiny-q8_0.bin (OpenAI Whisper tiny, multilingual, q8_0, MIT;
# byte for byte the file whisper.cpp's model card lists), from Debian's package obs-advanced-scene-switcher-data
# (testing/unstable), which bundles it. It uses the Debian mirror this machine's apt already names, through a
# private apt configuration, so the system's sources and state stay as they are. Checks the model's sha256.
#   tests/models/fetch-whisper-tiny.sh DESTDIR      (about 15-30 s; 41.5 MiB; ./test.sh runs it for tests/models)
set -eu
DEST=${1:-.}
SUM=c2085835d3f50733e2ff6e4b41ae8a2b8d8110461e18821b09a15c40c42d1cca
if [ -f "$DEST/ggml-tiny-q8_0.bin" ] && echo "$SUM  $DEST/ggml-tiny-q8_0.bin" | sha256sum -c - >/dev/null 2>&1; then
  echo "$DEST/ggml-tiny-q8_0.bin is there"; exit 0
fi
MIRROR=$(grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -1)
[ -n "$MIRROR" ] || MIRROR=$(grep -h '^deb ' /etc/apt/sources.list 2>/dev/null | grep -v security | awk '{for(i=2;i<=NF;i++) if ($i ~ /^http/) {print $i; exit}}' | head -1)
[ -n "$MIRROR" ] || { echo "no Debian mirror named in /etc/apt" >&2; exit 1; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/lists/partial" "$W/cache/archives/partial"
for s in forky sid; do echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR $s main"; done > "$W/sources.list"
cat > "$W/apt.conf" <<CONF
Dir::Etc::SourceList "$W/sources.list";
Dir::Etc::SourceParts "/nonexistent";
Dir::State::Lists "$W/lists";
Dir::Cache "$W/cache";
APT::Sandbox::User "root";
Acquire::IndexTargets::deb::Translations::DefaultEnabled "false";
Acquire::IndexTargets::deb::DEP-11::DefaultEnabled "false";
Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled "false";
Acquire::IndexTargets::deb::DEP-11-icons-small::DefaultEnabled "false";
Acquire::IndexTargets::deb::DEP-11-icons-hidpi::DefaultEnabled "false";
CONF
export APT_CONFIG="$W/apt.conf"
apt-get -q update >/dev/null
( cd "$W" && apt-get -q download obs-advanced-scene-switcher-data >/dev/null )
dpkg-deb -x "$W"/obs-advanced-scene-switcher-data_*_all.deb "$W/x"
mkdir -p "$DEST"
cp "$W/x/usr/share/obs/obs-plugins/advanced-scene-switcher/res/speech/ggml-tiny-q8_0.bin" "$DEST/"
echo "$SUM  $DEST/ggml-tiny-q8_0.bin" | sha256sum -c -
