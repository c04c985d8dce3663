#!/usr/bin/env sh
# Converts the WebAssembly spec scripts in shared/testdata/wasm-spec with wabt's wast2json into
# one folder per script (JSON commands plus .wasm modules). The outputs are committed so the
# build does not need wabt; run this after updating the scripts.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
src="${1:-$here/../../../../../../shared/testdata/wasm-spec}"
for wast in "$src"/*.wast; do
  name=$(basename "$wast" .wast)
  rm -rf "$here/$name"
  mkdir -p "$here/$name"
  if ! wast2json --enable-all "$wast" -o "$here/$name/$name.json" 2> "$here/$name/wast2json.err"; then
    echo "skipped $name: $(head -1 "$here/$name/wast2json.err")"
    rm -rf "$here/$name"
    continue
  fi
  rm -f "$here/$name/wast2json.err"
  # Text-format modules (assert_malformed on WAT) test the text parser, which a device lacks.
  rm -f "$here/$name"/*.wat
done
cp "$src/LICENSE" "$here/LICENSE"
