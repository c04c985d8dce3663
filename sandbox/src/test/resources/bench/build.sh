#!/usr/bin/env sh
# Generates big.wasm (~100 KB: 500 functions of integer arithmetic, exported tick) for the
# instantiate-time benchmark. Needs wabt's wat2wasm.
set -eu
cd "$(dirname "$0")"
gen=$(mktemp)
trap 'rm -f "$gen"' EXIT
{
  echo "(module"
  echo "  (memory 1)"
  i=0
  while [ $i -lt 500 ]; do
    echo "  (func \$f$i (param i32) (result i32) (local i32)"
    j=0
    while [ $j -lt 12 ]; do
      echo "    (local.set 1 (i32.add (i32.mul (local.get 0) (i32.const $((i * 31 + j + 7)))) (i32.xor (local.get 1) (i32.const $((j * 977 + i))))))"
      j=$((j + 1))
    done
    echo "    (local.get 1))"
    i=$((i + 1))
  done
  echo "  (func (export \"tick\") (drop (call \$f0 (i32.const 1)))))"
} > "$gen"
wat2wasm "$gen" -o big.wasm
echo "built big.wasm ($(wc -c < big.wasm) bytes)"
