# Sourced by tests/pkcs11-tool.sh, tests/csi-flow.sh and benchmarks/pkcs11/run.sh:
# starts `serve --dev` from the built jar in $WORK and exports what a PKCS#11 client needs.
#   tresor_dev_start      → TRESOR_PKCS11_CONF, TRESOR_DEV (the dev dir), TRESOR_PID
#   tresor_dev_restart    → the same server and data again (keys survive)
#   tresor_dev_stop
# Needs: ROOT (the checkout), WORK (an empty directory), jq.

TRESOR_JAR=${TRESOR_JAR:-$ROOT/kms-server/target/tresor.jar}
TRESOR_PKCS11_LIB=${TRESOR_PKCS11_LIB:-$ROOT/kms-pkcs11/target/libtresor-pkcs11.so}

tresor_dev_start() {
  [ -f "$TRESOR_JAR" ] || { echo "$TRESOR_JAR is missing: run mvn -B verify first" >&2; return 1; }
  [ -f "$TRESOR_PKCS11_LIB" ] || { echo "$TRESOR_PKCS11_LIB is missing: run mvn -Pnative" >&2; return 1; }
  (cd "$WORK" && TRESOR_REST_PORT=0 TRESOR_KMIP_PORT=0 \
     TRESOR_LIMIT_CALLS_PER_HOUR=${TRESOR_LIMIT_CALLS_PER_HOUR:-10000000} \
     exec java -jar "$TRESOR_JAR" serve --dev >>"$WORK/server.log" 2>&1) &
  TRESOR_PID=$!
  local _
  for _ in $(seq 1 120); do
    grep -q '^tresor: ready' "$WORK/server.log" 2>/dev/null && break
    kill -0 "$TRESOR_PID" 2>/dev/null || { tail -n 30 "$WORK/server.log" >&2; return 1; }
    sleep 0.5
  done
  grep -q '^tresor: ready' "$WORK/server.log" || { echo "the server did not start" >&2; return 1; }
  TRESOR_DEV=$WORK/tresor-data/dev
  export TRESOR_PKCS11_CONF=$TRESOR_DEV/pkcs11.conf
  [ -s "$TRESOR_PKCS11_CONF" ] || { echo "$TRESOR_PKCS11_CONF was not written" >&2; return 1; }
}

tresor_dev_stop() {
  if [ -n "${TRESOR_PID:-}" ] && kill -0 "$TRESOR_PID" 2>/dev/null; then
    kill -TERM "$TRESOR_PID"
    wait "$TRESOR_PID" 2>/dev/null || true
  fi
  TRESOR_PID=
}

tresor_dev_restart() {
  tresor_dev_stop
  sed -i 's/^tresor: ready/tresor: was ready/' "$WORK/server.log"
  tresor_dev_start
}
