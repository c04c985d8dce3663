#!/usr/bin/env sh
# Rebuilds the hostile test modules from their WAT sources (needs wabt's wat2wasm).
# many-imports and huge-data are generated here rather than kept as large WAT files.
set -eu
cd "$(dirname "$0")"
gen=$(mktemp -d)
trap 'rm -rf "$gen"' EXIT
{
  echo ";; 5000 imports of wasmbed.log: only hostile modules have this shape."
  echo "(module"
  i=0
  while [ $i -lt 5000 ]; do
    echo "  (import \"wasmbed\" \"log\" (func \$log$i (param i32 i32)))"
    i=$((i + 1))
  done
  echo "  (func (export \"tick\")))"
} > "$gen/many-imports.wat"
{
  echo ";; One page of memory and a 70000-byte data segment: more data than a 1-page limit holds."
  echo "(module"
  echo "  (memory 1)"
  printf '  (data (i32.const 0) "'
  head -c 70000 /dev/zero | tr '\0' 'A'
  echo '")'
  echo "  (func (export \"tick\")))"
} > "$gen/huge-data.wat"
{
  echo ";; A recursive function with 20000 i64 locals: each frame holds 160 KB of host heap."
  echo "(module"
  printf '  (func $deep (local'
  i=0
  while [ $i -lt 20000 ]; do
    printf ' i64'
    i=$((i + 1))
  done
  echo ')'
  echo '    (call $deep))'
  echo '  (func (export "tick") (call $deep)))'
} > "$gen/many-locals.wat"
for wat in *.wat "$gen"/*.wat; do
  name=$(basename "$wat" .wat)
  wat2wasm "$wat" -o "$name.wasm"
done
