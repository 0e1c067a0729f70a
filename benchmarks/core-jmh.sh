#!/usr/bin/env bash
# The core's JMH benchmarks (service vs raw JCA), as recorded in docs/benchmarks.md.
# Usage: benchmarks/core-jmh.sh [extra JMH options, e.g. a benchmark regex]
# Needs only a JDK and Maven; builds the benchmarks jar when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
jar=benchmarks/target/benchmarks.jar
if [ ! -f "$jar" ]; then
  mvn -q -B package -Dmaven.test.skip=true -pl benchmarks -am
fi
exec java -jar "$jar" -f 1 -wi 2 -i 3 -w 3s -r 5s -rf json -rff benchmarks/target/core-jmh.json \
  'dev.tresor.kms.bench.(CoreEncrypt|Rsa|KeyGeneration|KeyCreate|Store)Benchmark' "$@"
