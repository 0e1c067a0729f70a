#!/usr/bin/env bash
# Attested-release load benchmark (issue 6): round trips per second of the REST release flow a
# workload runs — challenge, evidence from the simulated SEV-SNP platform of `serve --dev`, release
# of an AES key as a JWE — with 1..N concurrent workloads, each timed as a whole. A round trip is
# three HTTPS calls (TLS keep-alive); the evidence step signs a report on the server (ECDSA P-384,
# a real TEE would sign it in the guest), the release step verifies the chain and the report and
# encrypts the key to the workload's EC P-384 key (ECDH-ES+A256KW). The load client
# (dev.tresor.kms.bench.attest.ReleaseLoad) sets up its project, token and key itself.
#
# Needs: jq and a JDK 17+ as `java`; the built jars kms-server/target/tresor.jar and
# benchmarks/target/benchmarks.jar (mvn -q -B package -Dmaven.test.skip=true).
#
# Usage: benchmarks/release-load.sh [--workers 1,4,16] [--warmup S] [--seconds S]
# Options go to the load client as they are. JAVA_OPTS, when set, is passed to the server.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TRESOR_JAR=${TRESOR_JAR:-$ROOT/kms-server/target/tresor.jar}
BENCH_JAR=${BENCH_JAR:-$ROOT/benchmarks/target/benchmarks.jar}
for jar in "$TRESOR_JAR" "$BENCH_JAR"; do
  [ -f "$jar" ] || { echo "release-load: $jar is missing: mvn -q -B package -Dmaven.test.skip=true" >&2; exit 1; }
done

WORK=$(mktemp -d)
SERVER=
cleanup() {
  [ -z "$SERVER" ] || { kill -TERM "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null || true; }
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

(cd "$WORK" && TRESOR_REST_PORT=0 TRESOR_KMIP_PORT=0 TRESOR_DATA_DIR="$WORK/data" \
   exec java ${JAVA_OPTS:-} -jar "$TRESOR_JAR" serve --dev >"$WORK/server.log" 2>&1) &
SERVER=$!
for _ in $(seq 1 120); do
  grep -q '^tresor: ready' "$WORK/server.log" && break
  kill -0 "$SERVER" 2>/dev/null || { tail -n 30 "$WORK/server.log" >&2; exit 1; }
  sleep 0.5
done
grep -q '^tresor: ready' "$WORK/server.log" || { echo "release-load: serve --dev did not start in 60 s" >&2; exit 1; }
DEV=$WORK/data/dev/dev.json
URL=$(jq -r .restUrl "$DEV")

echo "release-load: $(nproc) CPUs, $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(java -version 2>&1 | head -n 1)"
echo "release-load: load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
java -cp "$BENCH_JAR" dev.tresor.kms.bench.attest.ReleaseLoad --url "${URL/\/\/localhost:/\/\/127.0.0.1:}" \
  --ca "$(jq -r .caFile "$DEV")" --operator-token "$(jq -r .adminToken "$DEV")" --header "$@" || status=$?
echo "release-load: load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$status"
