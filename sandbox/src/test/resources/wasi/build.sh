#!/usr/bin/env sh
# Rebuilds the WASI test modules from their WAT sources (needs wabt's wat2wasm).
set -eu
cd "$(dirname "$0")"
for wat in *.wat; do
  wat2wasm "$wat" -o "$(basename "$wat" .wat).wasm"
done
