#!/usr/bin/env bash
# Attestation end to end through libtresor-pkcs11 (issues 6 and 7; docs/pkcs11.md "Attestation"):
# a KEK made through the library protects two volume keys (C_Encrypt with CKM_AES_GCM and
# C_WrapKey with KWP, as tests/csi-flow.sh); then its release policy gates decrypt and unwrap
# (simulated SEV-SNP guest of `serve --dev`). Recovering the volume keys is refused
# (CKR_FUNCTION_REJECTED) without an evidence provider and with evidence of another guest, and
# works with the simulated evidence through `attestation = command` and through configfs-tsm
# (`attestation = tsm`, tsm_root on a FUSE file system that plays the kernel's part), which also
# checks the generation rule and that a tdx_guest provider's quote goes out as a TDX quote.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
SIM_PID=
# shellcheck source=../benchmarks/pkcs11/dev-server.sh
source "$ROOT/benchmarks/pkcs11/dev-server.sh"
# shellcheck source=lib/volume-keys.sh
source "$ROOT/tests/lib/volume-keys.sh"
TDX_QUOTE=${TRESOR_SHARED:-$ROOT/../shared}/testdata/attestation/tdx/trustee-v4-6/quote.bin
# The simulated configfs-tsm tree on $WORK/tsm; arguments go to configfs-tsm-sim.py.
tsm_mount() {
  mkdir -p "$WORK/tsm"
  /usr/bin/python3 "$ROOT/tests/attestation/configfs-tsm-sim.py" "$WORK/tsm" "$TRESOR_DEV" "$@" 2>>"$WORK/tsm-sim.log" &
  SIM_PID=$!
  local _
  for _ in $(seq 1 40); do [ -d "$WORK/tsm/report" ] && return 0; sleep 0.25; done
  return 1
}
tsm_unmount() {
  [ -n "$SIM_PID" ] || return 0
  umount "$WORK/tsm" 2>/dev/null || fusermount -u "$WORK/tsm" 2>/dev/null || true
  wait "$SIM_PID" 2>/dev/null || true
  SIM_PID=
}
cleanup() {
  tsm_unmount
  tresor_dev_stop
  rm -rf "$WORK"
}
trap cleanup EXIT
CSI=$ROOT/kms-pkcs11/target/csi-client
KEK=attested-kek
MEASUREMENT=$(printf '42%.0s' $(seq 48))
REJECTED=3 # csi-client's exit status for CKR_FUNCTION_REJECTED

fail() {
  echo "attestation-flow: FAIL: $*" >&2
  [ -f "$WORK/server.log" ] && tail -n 30 "$WORK/server.log" >&2
  [ -f "$WORK/tsm-sim.log" ] && tail -n 10 "$WORK/tsm-sim.log" >&2
  exit 1
}
step() { echo "attestation-flow: $*"; }
# A configuration: the dev one's global lines, then $@ as more global lines, then its token.
conf() {
  local out=$WORK/$1.conf
  shift
  sed '/^\[token/,$d' "$TRESOR_DEV/pkcs11.conf" >"$out"
  printf '%s\n' "$@" >>"$out"
  sed -n '/^\[token/,$p' "$TRESOR_DEV/pkcs11.conf" >>"$out"
  echo "$out"
}
# recover MODE CONF: the volume key on stdout; exit status of csi-client.
recover() { TRESOR_PKCS11_CONF=$2 "$CSI" "$TRESOR_PKCS11_LIB" recover "$1" $KEK "vol-$1" "$WORK/blob.$1"; }
refused() {
  local status=0
  recover "$1" "$2" >/dev/null 2>"$WORK/refused.err" || status=$?
  [ "$status" = $REJECTED ] || fail "$1 with $(basename "$2"): exit $status, expected CKR_FUNCTION_REJECTED ($(cat "$WORK/refused.err"))"
}
api() {
  local method=$1 path=$2
  shift 2
  curl -sSf --cacert "$TRESOR_DEV/ca.pem" -H "Authorization: Bearer $(jq -r .adminToken "$TRESOR_DEV/dev.json")" \
    -H 'Content-Type: application/json' -X "$method" "$@" \
    "$(jq -r .restUrl "$TRESOR_DEV/dev.json")/v1/projects/$(jq -r .projectId "$TRESOR_DEV/dev.json")/regions/$(jq -r .regionId "$TRESOR_DEV/dev.json")$path"
}

[ -x "$CSI" ] || fail "$CSI is missing: run mvn -Pnative"
/usr/bin/python3 -c 'import fusepy' 2>/dev/null || fail "python3-fusepy is missing (tests/run-all.sh installs it)"
[ -f "$TDX_QUOTE" ] || fail "shared test data missing: $TDX_QUOTE"
# The configfs-tsm steps need FUSE; where the machine has none (a container without /dev/fuse),
# they are skipped with a line saying so, like csi-flow.sh without loop devices.
fuse=yes
{ [ -c /dev/fuse ] && { [ "$(id -u)" = 0 ] || command -v fusermount >/dev/null; }; } || fuse=no
tresor_dev_start || fail "no dev server"
cd "$WORK"

step "the KEK, generated through the library, protects two volume keys (GCM and KWP)"
kek=$(kek_generate $KEK)
for mode in gcm wrap; do
  "$CSI" "$TRESOR_PKCS11_LIB" provision $mode $KEK "vol-$mode" "blob.$mode" >"dek.$mode" || fail "provision $mode"
  luks_format "disk.$mode" "dek.$mode"
done

step "its release policy now gates decrypt and unwrap: only the simulated guest $MEASUREMENT"
ring=$(api GET /keyrings | jq -er '.keyRings[] | select(.displayName == "kmip") | .id') || fail "no kmip key ring"
policy=$(jq -cn --arg m "$MEASUREMENT" '{policy: {version: "1.0", allOf: [{claim: "tee", equals: "sim-snp"},
  {claim: "snp.measurement", equals: $m}]}, attestationRequiredFor: ["decrypt", "unwrap"]}')
api PUT "/keyrings/$ring/keys/$kek/release-policy" -d "$policy" >policy.json || fail "setting the policy"

step "without an evidence provider both recoveries are refused"
off=$(conf off "attestation = off")
auto=$(conf auto "attestation = auto" "tsm_root = $WORK/no-such-tsm")
for mode in gcm wrap; do
  refused $mode "$off"
  refused $mode "$auto"
done

export TRESOR_DEV
command=$(conf command "attestation = command" "attestation_command = $ROOT/tests/attestation/sim-evidence")
step "evidence of another guest is refused"
TRESOR_SIM_MEASUREMENT=$(printf '43%.0s' $(seq 48)) refused gcm "$command"

step "attestation = command: the simulated evidence opens both volume keys"
for mode in gcm wrap; do
  recover $mode "$command" >"command.$mode" 2>"command.$mode.err" || fail "recover $mode: $(cat "command.$mode.err")"
  cmp -s "dek.$mode" "command.$mode" || fail "$mode: the recovered key differs"
  cryptsetup open --test-passphrase --type luks2 "disk.$mode" --key-file "command.$mode" || fail "$mode: LUKS does not open"
done

if [ $fuse = yes ]; then
  step "attestation = tsm: a simulated configfs-tsm tree (FUSE) plays the kernel's part"
  tsm_mount || fail "the configfs-tsm simulator did not mount"
  tsm=$(conf tsm "attestation = tsm" "tsm_root = $WORK/tsm")
  auto_tsm=$(conf auto-tsm "tsm_root = $WORK/tsm")
  for mode in gcm wrap; do
    recover $mode "$tsm" >"tsm.$mode" 2>"tsm.$mode.err" || fail "recover $mode through configfs-tsm: $(cat "tsm.$mode.err")"
    cmp -s "dek.$mode" "tsm.$mode" || fail "$mode: the key recovered through configfs-tsm differs"
    cryptsetup open --test-passphrase --type luks2 "disk.$mode" --key-file "tsm.$mode" || fail "$mode: LUKS does not open"
  done
  recover gcm "$auto_tsm" >tsm.auto 2>tsm.auto.err || fail "attestation = auto with a writable tsm_root/report: $(cat tsm.auto.err)"
  cmp -s dek.gcm tsm.auto || fail "auto: the recovered key differs"
  [ "$(grep -c 'report for generation 1' tsm-sim.log)" = 3 ] || fail "expected 3 reports from the simulated kernel: $(cat tsm-sim.log)"
  [ -z "$(ls tsm/report)" ] || fail "report entries were left behind: $(ls tsm/report)"
  tsm_unmount

  step "configfs-tsm: a report whose generation moved on meanwhile (another writer) is not sent"
  tsm_mount --interfere || fail "the configfs-tsm simulator did not mount"
  refused gcm "$tsm"
  tsm_unmount

  step "configfs-tsm: provider tdx_guest sends a TDX quote (type 0x80000002); a recorded one is refused"
  tsm_mount --tdx-quote "$TDX_QUOTE" || fail "the configfs-tsm simulator did not mount"
  refused gcm "$tsm"
  tsm_unmount

else
  step "SKIPPED the configfs-tsm steps: this machine has no usable FUSE (/dev/fuse, root or fusermount)"
fi

step "every attempt that reached the server is in the audit log"
api GET /export/audit >audit.json || fail "audit export"
verdicts=$(jq -r '[.records[] | select(.operation == "attestation.verify")
  | .details.type + "/" + .details.verdict + "/" + (.details.simulated // "-")] | join(" ")' audit.json)
admitted="snp/admitted/true snp/admitted/true"
expected="snp/refused/true $admitted"
[ $fuse = no ] || expected="$expected snp/admitted/true snp/admitted/true snp/admitted/true tdx/refused/-"
[ "$verdicts" = "$expected" ] || fail "audit: $verdicts"
step "passed"
