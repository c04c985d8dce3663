#!/usr/bin/env sh
# Runs the sandbox benchmark (interpreter vs compiled vs Node.js, and instantiate times).
# Not part of ./mvnw verify. Usage: sandbox/bench.sh   (from anywhere; needs node on PATH)
set -eu
cd "$(dirname "$0")/.."
./mvnw -q -B -pl sandbox -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
cd sandbox
exec java -Xss4m -cp "target/test-classes:target/classes:../protocol/target/classes:$(cat target/bench-classpath.txt)" \
  -Dlogback.configurationFile=src/test/resources/bench/logback-bench.xml io.wasmbed.sandbox.SandboxBench ../examples src/test/resources/bench/big.wasm
