#!/usr/bin/env bash
# REST load benchmark (issue 4): Tresor's encrypt of 1 KiB under wrk, keep-alive, against the
# ceiling of a minimal Vert.x hello-world with the same TLS setup (the dev CA-signed certificate
# and key, TLS 1.2/1.3, the same JDK), measured with the same wrk command in the same run.
# Target: Tresor's req/s at least 50% of the ceiling's, and its p99 under 5 ms. A missed target is
# reported; the exit status is non-zero only when something failed to run.
#
# Needs (Debian): apt-get install -y wrk jq curl; a JDK 17+ as `java`; the built jars
# kms-server/target/tresor.jar and benchmarks/target/benchmarks.jar:
#   mvn -q -B package -Dmaven.test.skip=true
# It installs and builds nothing itself.
#
# Usage: benchmarks/rest-load.sh [--warmup S] [--duration S] [--threads N] [--connections N]
#                                [--ceiling-loops N]
#   --warmup S         seconds of unmeasured load before each measured run (default 10)
#   --duration S       seconds of the measured run (default 20)
#   --threads N        wrk threads (default 2)
#   --connections N    wrk keep-alive connections (default 64)
#   --ceiling-loops N  event loops of the hello-world server (default 2)
# JAVA_OPTS, when set, is passed to both servers. TRESOR_JAR and BENCH_JAR name other jars (e.g.
# copies, so that a rebuild in the same checkout cannot change them under a run).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TRESOR_JAR=${TRESOR_JAR:-$ROOT/kms-server/target/tresor.jar}
BENCH_JAR=${BENCH_JAR:-$ROOT/benchmarks/target/benchmarks.jar}
LUA=$ROOT/benchmarks/rest/load.lua
WARMUP=10 DURATION=20 THREADS=2 CONNECTIONS=64 CEILING_LOOPS=2
TARGET_RATIO=50 TARGET_P99_US=5000
PAYLOAD_BYTES=1024

fail() {
  echo "rest-load: FAIL: $*" >&2
  exit 1
}
say() { echo "rest-load: $*"; }

while [ $# -gt 0 ]; do
  case $1 in
    --warmup) WARMUP=${2:-} ;;
    --duration) DURATION=${2:-} ;;
    --threads) THREADS=${2:-} ;;
    --connections) CONNECTIONS=${2:-} ;;
    --ceiling-loops) CEILING_LOOPS=${2:-} ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) fail "unknown option '$1' (see --help)" ;;
  esac
  shift 2 || fail "option '$1' needs a value"
done
for pair in "warmup:$WARMUP" "duration:$DURATION" "threads:$THREADS" "connections:$CONNECTIONS" \
            "ceiling-loops:$CEILING_LOOPS"; do
  [[ ${pair#*:} =~ ^[1-9][0-9]*$ ]] || fail "--${pair%%:*} must be a positive whole number, got '${pair#*:}'"
done
[ "$CONNECTIONS" -ge "$THREADS" ] || fail "--connections ($CONNECTIONS) must be at least --threads ($THREADS)"

for tool in wrk jq curl java; do
  command -v "$tool" >/dev/null || fail "'$tool' is missing (apt-get install -y wrk jq curl, and a JDK 17+)"
done
for jar in "$TRESOR_JAR" "$BENCH_JAR"; do
  [ -f "$jar" ] || fail "$jar is missing: run mvn -q -B package -Dmaven.test.skip=true"
done

WORK=$(mktemp -d)
TRESOR_PID= HELLO_PID=
# stop PID_VARIABLE: SIGTERM, then waits for the process; returns its status (143 for a JVM that
# stopped as SIGTERM asks).
stop() {
  local pid=${!1} status=0
  printf -v "$1" ''
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || status=$?
  return "$status"
}
# stop_cleanly NAME PID_VARIABLE
stop_cleanly() {
  local status=0
  stop "$2" || status=$?
  [ "$status" = 143 ] || fail "$1 ended with status $status after SIGTERM, expected 143"
}
cleanup() {
  stop TRESOR_PID || true
  stop HELLO_PID || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_for_line PID LOG PATTERN WHAT: up to 60 s for a line of the server's log.
wait_for_line() {
  local _
  for _ in $(seq 1 120); do
    grep -q "$3" "$2" 2>/dev/null && return 0
    kill -0 "$1" 2>/dev/null || { tail -n 30 "$2" >&2; fail "$4 exited during start-up"; }
    sleep 0.5
  done
  tail -n 30 "$2" >&2
  fail "$4 did not start within 60 s"
}

# call METHOD URL TOKEN EXPECTED_STATUS [BODY]: prints the answer's body.
call() {
  local status
  local args=(-s -o "$WORK/answer.json" -w '%{http_code}' --cacert "$CA" -X "$1" -H "Authorization: Bearer $3")
  if [ -n "${5:-}" ]; then args+=(-H 'Content-Type: application/json' --data-binary "$5"); fi
  status=$(curl "${args[@]}" "$2") || fail "$1 $2: curl failed"
  [ "$status" = "$4" ] || fail "$1 $2: HTTP $status, expected $4: $(head -c 300 "$WORK/answer.json")"
  cat "$WORK/answer.json"
}

# run_wrk SECONDS URL: the one wrk command of both measurements. The timeout is far above any
# expected latency so that slow answers land in the percentiles instead of being dropped as errors.
run_wrk() {
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$1s" --timeout 30s --latency -s "$LUA" "$2"
}

# measure NAME URL: a warm-up, then the measured run; sets RPS, P50_US, P99_US, SOCKET_ERRORS.
measure() {
  local out
  say "$1: ${WARMUP}s warm-up"
  out=$(run_wrk "$WARMUP" "$2") || fail "$1: wrk failed (warm-up)"
  check_result "$1 warm-up" "$out" >/dev/null
  say "$1: ${DURATION}s measured run: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --timeout 30s --latency -s $LUA $2"
  out=$(run_wrk "$DURATION" "$2") || fail "$1: wrk failed"
  echo "$out" | sed 's/^/    /'
  out=$(check_result "$1" "$out")
  read -r RPS P50_US P99_US SOCKET_ERRORS <<<"$out"
}

# check_result NAME WRK_OUTPUT: prints "req/s p50 p99 socket-errors" from the Lua line. An answer
# other than 2xx, or no answer at all, means the set-up is broken, and fails.
check_result() {
  local line
  line=$(grep '^result ' <<<"$2") || fail "$1: wrk printed no result line: $2"
  read -r _ rps p50 p99 non2xx socket <<<"$line"
  [ "$non2xx" = 0 ] || fail "$1: $non2xx answers were not 2xx"
  [ "$p50" != 0 ] || fail "$1: no request completed (a run of a few seconds can end inside the TLS handshakes)"
  echo "$rps $p50 $p99 $socket"
}

ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }

say "starting serve --dev in $WORK"
(cd "$WORK" && TRESOR_REST_PORT=0 TRESOR_KMIP_PORT=0 TRESOR_DATA_DIR="$WORK/tresor-data" \
   exec java ${JAVA_OPTS:-} -jar "$TRESOR_JAR" serve --dev >"$WORK/tresor.log" 2>&1) &
TRESOR_PID=$!
wait_for_line "$TRESOR_PID" "$WORK/tresor.log" '^tresor: ready' "serve --dev"
DEV=$WORK/tresor-data/dev
[ -f "$DEV/dev.json" ] || fail "$DEV/dev.json was not written"
CA=$(jq -r .caFile "$DEV/dev.json")
URL=$(jq -r .restUrl "$DEV/dev.json")
OPERATOR=$(jq -r .adminToken "$DEV/dev.json")
REGION=$(jq -r .regionId "$DEV/dev.json")
[ "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$CA" "$URL/healthz")" = 200 ] || fail "$URL/healthz is not 200"
# --dev binds 127.0.0.1 only, and "localhost" may resolve to ::1 first; the certificate names both.
LOAD_URL=${URL/\/\/localhost:/\/\/127.0.0.1:}

say "setting up: a project with a budget of 10,000,000 calls/h, a crypto-user token, a key ring, an AES key"
PROJECT=$(call POST "$URL/admin/v1/projects" "$OPERATOR" 201 '{"callsPerHour":10000000}' | jq -er .projectId)
TOKEN=$(call POST "$URL/admin/v1/projects/$PROJECT/tokens" "$OPERATOR" 201 \
  '{"role":"crypto-user","description":"rest-load"}' | jq -er .token)
API=$URL/v1/projects/$PROJECT/regions/$REGION
RING=$(call POST "$API/keyrings" "$OPERATOR" 202 '{"displayName":"rest-load"}' | jq -er .id)
KEY=$(call POST "$API/keyrings/$RING/keys" "$OPERATOR" 202 \
  '{"displayName":"rest-load","algorithm":"aes_256_gcm","purpose":"symmetric_encrypt_decrypt","protection":"software"}' \
  | jq -er .id)
ENCRYPT_PATH=/v1/projects/$PROJECT/regions/$REGION/keyrings/$RING/keys/$KEY/versions/1/encrypt
BENCH_DATA=$(head -c "$PAYLOAD_BYTES" /dev/urandom | base64 -w0)
call POST "$URL$ENCRYPT_PATH" "$TOKEN" 200 "{\"data\":\"$BENCH_DATA\"}" | jq -e '.data | length > 1024' >/dev/null \
  || fail "the encrypt answer has no ciphertext"

export BENCH_DATA BENCH_TOKEN=$TOKEN
measure "tresor encrypt" "$LOAD_URL$ENCRYPT_PATH"
TRESOR_RPS=$RPS TRESOR_P50=$P50_US TRESOR_P99=$P99_US TRESOR_ERRORS=$SOCKET_ERRORS
unset BENCH_DATA BENCH_TOKEN
stop_cleanly "serve --dev" TRESOR_PID

say "starting the hello-world ceiling ($CEILING_LOOPS event loops)"
java ${JAVA_OPTS:-} -cp "$BENCH_JAR" dev.tresor.kms.bench.rest.HelloServer \
  "$DEV/server/rest.pem" "$DEV/server/rest.key" 0 "$CEILING_LOOPS" >"$WORK/hello.log" 2>&1 &
HELLO_PID=$!
wait_for_line "$HELLO_PID" "$WORK/hello.log" '^hello: listening on ' "the hello-world server"
HELLO_URL=https://127.0.0.1:$(sed -n 's/^hello: listening on //p' "$WORK/hello.log")/
[ "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$CA" "$HELLO_URL")" = 200 ] || fail "$HELLO_URL is not 200"
measure "hello ceiling" "$HELLO_URL"
HELLO_RPS=$RPS HELLO_P50=$P50_US HELLO_P99=$P99_US HELLO_ERRORS=$SOCKET_ERRORS
stop_cleanly "the hello-world server" HELLO_PID

RATIO=$(awk -v a="$TRESOR_RPS" -v b="$HELLO_RPS" 'BEGIN { printf "%.1f", 100 * a / b }')
echo
echo "rest-load: $(nproc) CPUs, $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(java -version 2>&1 | head -n 1)"
echo "rest-load: wrk -t$THREADS -c$CONNECTIONS, ${WARMUP}s warm-up + ${DURATION}s measured, keep-alive, TLS"
row() { printf '%-36s %10s %8s %8s %14s\n' "$@"; }
row "" "req/s" "p50 ms" "p99 ms" "socket errors"
row "tresor POST encrypt (1 KiB, AES-GCM)" "$(printf '%.0f' "$TRESOR_RPS")" "$(ms "$TRESOR_P50")" "$(ms "$TRESOR_P99")" "$TRESOR_ERRORS"
row "vert.x hello GET (ceiling)" "$(printf '%.0f' "$HELLO_RPS")" "$(ms "$HELLO_P50")" "$(ms "$HELLO_P99")" "$HELLO_ERRORS"
echo "rest-load: tresor / ceiling = $RATIO% (target >= $TARGET_RATIO%)"
missed=()
if awk -v r="$RATIO" -v t="$TARGET_RATIO" 'BEGIN { exit !(r < t) }'; then
  missed+=("throughput $RATIO% < $TARGET_RATIO%")
fi
if [ "$TRESOR_P99" -ge "$TARGET_P99_US" ]; then
  missed+=("p99 $(ms "$TRESOR_P99") ms >= $(ms "$TARGET_P99_US") ms")
fi
if [ ${#missed[@]} = 0 ]; then
  echo "rest-load: target met"
else
  echo "rest-load: target MISSED: $(printf '%s; ' "${missed[@]}" | sed 's/; $//')"
fi
