#!/bin/sh
# Prints the Debian packages the speech tests and the benchmark's meeting side need and this machine lacks: PocketSphinx
# with its US English model, and espeak-ng to speak to it. Used by test.sh and bench/run.sh.
[ -f /usr/share/pocketsphinx/model/en-us/en-us.lm.bin ] || echo pocketsphinx-en-us
ls /usr/lib/*/libpocketsphinx.so.3 >/dev/null 2>&1 || echo libpocketsphinx3
command -v espeak-ng >/dev/null 2>&1 || echo espeak-ng
