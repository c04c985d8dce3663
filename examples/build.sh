#!/usr/bin/env sh
# Rebuilds every example's .wasm from its C source (clang + wasm-ld, no libc).
set -eu
cd "$(dirname "$0")"
build() {
  clang --target=wasm32 -O2 -nostdlib -fno-builtin -Wall -Werror \
    -Wl,--no-entry -Wl,--strip-all -Wl,-z,stack-size=16384 -Wl,--initial-memory=131072 \
    -Wl,--max-memory=131072 -o "$2" "$1"
  echo "built $2 ($(wc -c < "$2") bytes)"
}
build temperature-monitor/temperature_monitor.c temperature-monitor/temperature-monitor.wasm
build crc32/crc32.c crc32/crc32.wasm
