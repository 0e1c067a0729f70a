#!/usr/bin/env bash
# KMIP load test: Tresor (`serve --dev`) and Debian's PyKMIP server (python3-pykmip), one after
# the other in the same run, each driven by the same Java client (dev.tresor.kms.bench.kmip.KmipLoad):
# Encrypt AES-256-GCM 1 KiB and Create AES-256 over 1 and 16 connections, KMIP 1.4 binary TTLV
# over mutual TLS, on loopback. Prints the machine, then one Markdown table for docs/benchmarks.md.
#
#   mvn -q -B package -DskipTests -pl kms-server,benchmarks -am
#   benchmarks/kmip-load.sh
#
# Environment: WARMUP and PHASE_SECONDS (per phase, default 5 and 15), CONNECTIONS (default 1,16),
# OPS (default encrypt,create), PYKMIP (default 1; 0 runs Tresor only), JAVA (default java),
# TRESOR_JAVA_OPTS (Tresor's JVM options, default -XX:+UseParallelGC, the collector docs/operations.md
# advises, with the JVM's default heap),
# TRESOR_JAR and BENCH_JAR (default: the build outputs; point them at copies when others may
# rebuild during the run). Exits 1 when a server run failed or an answer was refused (the table
# is still printed). Not part of the test suite.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAVA=${JAVA:-java}
TRESOR_JAVA_OPTS=${TRESOR_JAVA_OPTS--XX:+UseParallelGC}
read -r -a TRESOR_JVM <<<"$TRESOR_JAVA_OPTS"
TRESOR_JAR=${TRESOR_JAR:-$ROOT/kms-server/target/tresor.jar}
BENCH_JAR=${BENCH_JAR:-$ROOT/benchmarks/target/benchmarks.jar}
WARMUP=${WARMUP:-5}
PHASE_SECONDS=${PHASE_SECONDS:-15}
CONNECTIONS=${CONNECTIONS:-1,16}
OPS=${OPS:-encrypt,create}
PYKMIP=${PYKMIP:-1}
# Debian's interpreter, which has the python3-pykmip modules (a pyenv python3 may be first on PATH).
SYSTEM_PYTHON=/usr/bin/python3

for jar in "$TRESOR_JAR" "$BENCH_JAR"; do
  [[ -f $jar ]] || { echo "kmip-load: $jar is missing; build with: mvn -q -B package -DskipTests -pl kms-server,benchmarks -am" >&2; exit 2; }
done
[[ $PYKMIP == 0 ]] || command -v pykmip-server >/dev/null || { echo "kmip-load: pykmip-server not found (apt-get install python3-pykmip)" >&2; exit 2; }
command -v jq >/dev/null || { echo "kmip-load: jq not found" >&2; exit 2; }

WORK=$(mktemp -d -t kmip-load.XXXXXX)
SERVER_PID=
stop_server() {
  if [[ -n $SERVER_PID ]]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
  fi
}
trap 'stop_server; rm -rf "$WORK"' EXIT

# Waits until $1 (a command) succeeds, for at most $2 seconds, while the server is alive;
# on failure prints the server log $3.
wait_for() {
  local deadline=$((SECONDS + $2))
  until eval "$1"; do
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "kmip-load: the server exited; its log:" >&2; cat "$3" >&2; exit 1; }
    ((SECONDS < deadline)) || { echo "kmip-load: the server did not start in $2 s; its log:" >&2; cat "$3" >&2; exit 1; }
    sleep 0.5
  done
}

load() {
  "$JAVA" -cp "$BENCH_JAR" dev.tresor.kms.bench.kmip.KmipLoad --ops "$OPS" --connections "$CONNECTIONS" \
    --warmup "$WARMUP" --seconds "$PHASE_SECONDS" "$@"
}

echo "## machine"
echo "date: $(date -u +%FT%TZ)"
echo "nproc: $(nproc); CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs)"
echo "JDK: $("$JAVA" -version 2>&1 | head -2 | tail -1); Tresor JVM options: ${TRESOR_JAVA_OPTS:-none}"
echo "PyKMIP: $(dpkg-query -W -f='${Version}' python3-pykmip 2>/dev/null || echo unknown), $("$SYSTEM_PYTHON" --version)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "phases: $OPS x connections $CONNECTIONS, ${WARMUP} s warm-up + ${PHASE_SECONDS} s each"
echo

ROWS=$WORK/rows.md
FAILED=0

# --- Tresor: a dev server in a temporary directory on free ports, its dev project's hourly call
# budget raised to the maximum (limit.calls.per.hour, docs/operations.md) so it never refuses.
mkdir -p "$WORK/tresor"
: >"$WORK/tresor.log"
(cd "$WORK/tresor" && exec env TRESOR_REST_PORT=0 TRESOR_KMIP_PORT=0 TRESOR_LIMIT_CALLS_PER_HOUR=10000000 \
  "$JAVA" "${TRESOR_JVM[@]}" -jar "$TRESOR_JAR" serve --dev >"$WORK/tresor.log" 2>&1) &
SERVER_PID=$!
wait_for "grep -q 'tresor: ready' '$WORK/tresor.log'" 120 "$WORK/tresor.log"
DEV=$WORK/tresor/tresor-data/dev/dev.json
load --header --server Tresor --host "$(jq -r .kmipHost "$DEV")" --port "$(jq -r .kmipPort "$DEV")" \
  --ca "$(jq -r .caFile "$DEV")" --cert "$(jq -r .kmipClientCert "$DEV")" --key "$(jq -r .kmipClientKey "$DEV")" \
  >>"$ROWS" || { FAILED=1; echo "kmip-load: the Tresor run failed; server log tail:" >&2; tail -20 "$WORK/tresor.log" >&2; }
stop_server

# --- PyKMIP: loopback, TLS 1.2 with client certificates from a throw-away CA, SQLite in $WORK.
if [[ $PYKMIP != 0 ]]; then
P=$WORK/pykmip
mkdir -p "$P/policies"
ec_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
issue() { # name, subject, extensions
  ec_key "$P/$1.key"
  openssl req -new -key "$P/$1.key" -subj "$2" -out "$P/$1.csr" 2>/dev/null
  printf '%b' "$3" >"$P/$1.ext"
  openssl x509 -req -in "$P/$1.csr" -CA "$P/ca.pem" -CAkey "$P/ca.key" -CAcreateserial -days 1 \
    -extfile "$P/$1.ext" -out "$P/$1.pem" 2>/dev/null
}
ec_key "$P/ca.key"
openssl req -x509 -new -key "$P/ca.key" -subj "/CN=kmip-load throw-away CA" -days 1 -out "$P/ca.pem" 2>/dev/null
issue server "/CN=localhost" "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"
issue client "/CN=kmip-load" "extendedKeyUsage=clientAuth\n"
PYKMIP_PORT=$("$SYSTEM_PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$P/server.conf" <<EOF
[server]
hostname=127.0.0.1
port=$PYKMIP_PORT
certificate_path=$P/server.pem
key_path=$P/server.key
ca_path=$P/ca.pem
auth_suite=TLS1.2
policy_path=$P/policies
enable_tls_client_auth=True
logging_level=INFO
database_path=$P/pykmip.db
EOF
pykmip-server -f "$P/server.conf" -l "$P/server.log" >"$WORK/pykmip.out" 2>&1 &
SERVER_PID=$!
wait_for "$SYSTEM_PYTHON -c 'import socket; socket.create_connection((\"127.0.0.1\", $PYKMIP_PORT), 1).close()' 2>/dev/null" \
  60 "$WORK/pykmip.out"
load --server PyKMIP --host 127.0.0.1 --port "$PYKMIP_PORT" --ca "$P/ca.pem" --cert "$P/client.pem" --key "$P/client.key" \
  >>"$ROWS" || { FAILED=1; echo "kmip-load: the PyKMIP run failed; server log tail:" >&2; tail -20 "$P/server.log" >&2; }
stop_server
fi

echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
cat "$ROWS"
exit "$FAILED"
