#!/usr/bin/env bash
# C_Encrypt (AES-256-GCM, 1 KiB), C_Sign (RSA-2048 PSS) and C_UnwrapKey (AES key wrap with
# padding) with 1 and 8 threads: libtresor-pkcs11 against a local `serve --dev`, and in the same
# run SoftHSM2 doing the same locally. Prints a Markdown table; SECONDS per cell (default 10).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d)
SECONDS_PER_CELL=${1:-10}
# shellcheck source=dev-server.sh
source "$ROOT/benchmarks/pkcs11/dev-server.sh"
trap 'tresor_dev_stop; rm -rf "$WORK"' EXIT

make -s -C "$ROOT/benchmarks/pkcs11"
BENCH=$ROOT/benchmarks/target/pkcs11/p11bench
SOFTHSM_LIB=${SOFTHSM_LIB:-/usr/lib/softhsm/libsofthsm2.so}

mkdir -p "$WORK/softhsm"
export SOFTHSM2_CONF=$WORK/softhsm2.conf
printf 'directories.tokendir = %s\nobjectstore.backend = file\n' "$WORK/softhsm" >"$SOFTHSM2_CONF"
softhsm2-util --init-token --free --label bench --pin 1234 --so-pin 1234 >/dev/null
tresor_dev_start

# "ops/s (p50 / p99 µs)", or why the run failed.
cell() {
  local line
  line=$(echo "$1" | sed -nE 's/.*: ([0-9]+) ops\/s, p50 ([0-9]+) us, p99 ([0-9]+) us.*/\1 (\2 \/ \3)/p')
  echo "${line:-failed: $(echo "$1" | tail -n 1)}"
}
rate() { echo "$1" | sed -nE 's/.*: ([0-9]+) ops\/s.*/\1/p'; }

echo "| operation | threads | libtresor-pkcs11 ops/s (p50 / p99 µs) | SoftHSM2 ops/s (p50 / p99 µs) | ratio |"
echo "|---|---|---|---|---|"
for op in gcm pss unwrap; do
  for threads in 1 8; do
    tresor=$("$BENCH" "$TRESOR_PKCS11_LIB" $op $threads "$SECONDS_PER_CELL" 2>&1 || true)
    softhsm=$("$BENCH" "$SOFTHSM_LIB" $op $threads "$SECONDS_PER_CELL" 1234 2>&1 || true)
    t=$(rate "$tresor"); s=$(rate "$softhsm")
    ratio=$(awk -v t="${t:-0}" -v s="${s:-0}" 'BEGIN { if (s > 0) printf "%.1f%%", 100 * t / s; else print "n/a" }')
    echo "| $op | $threads | $(cell "$tresor") | $(cell "$softhsm") | $ratio |"
  done
done
