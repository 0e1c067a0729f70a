#!/usr/bin/env bash
# The CSI flow end to end through libtresor-pkcs11 (PKCS11.md §4): a 64-byte volume key is
# protected under a Tresor key-encryption key (C_Encrypt with CKM_AES_GCM and a driver IV, with
# CKM_TRESOR_AES_GCM and a server nonce, and C_WrapKey with KWP), the blob is stored, the server restarts and a new process recovers the
# key, which opens a LUKS2 container made with it (cryptsetup --test-passphrase: no loop device
# or device mapper needed). Then the KEK is rotated (KMIP ReKey, sent with PyKMIP): new volumes
# use the new version, old blobs still open, and recovering them says "rewrap".
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
# shellcheck source=../benchmarks/pkcs11/dev-server.sh
source "$ROOT/benchmarks/pkcs11/dev-server.sh"
# shellcheck source=lib/volume-keys.sh
source "$ROOT/tests/lib/volume-keys.sh"
trap 'tresor_dev_stop; rm -rf "$WORK"' EXIT
CSI=$ROOT/kms-pkcs11/target/csi-client
KEK=csi-kek

fail() {
  echo "csi-flow: FAIL: $*" >&2
  [ -f "$WORK/server.log" ] && tail -n 30 "$WORK/server.log" >&2
  exit 1
}
step() { echo "csi-flow: $*"; }
csi() { "$CSI" "$TRESOR_PKCS11_LIB" "$@"; }
blob_uid() { tail -c +2 "$1" | head -c "$(od -An -tu1 -N1 "$1" | tr -d ' ')"; }
luks_opens() { cryptsetup open --test-passphrase --type luks2 "$1" --key-file "$2"; }
# KMIP ReKey of one object, with the dev client certificate; prints the new version's UID.
rekey() {
  /usr/bin/python3 - "$TRESOR_PKCS11_CONF" "$1" <<'PY'
import re, sys
from kmip.pie.client import ProxyKmipClient
conf = dict(re.findall(r"^(\w+) = (.*)$", open(sys.argv[1]).read(), re.M))
host, port = conf["server"].rsplit(":", 1)
with ProxyKmipClient(hostname=host, port=int(port), cert=conf["cert"], key=conf["key"], ca=conf["ca"]) as client:
    print(client.rekey(uid=sys.argv[2]))
PY
}

[ -x "$CSI" ] || fail "$CSI is missing: run mvn -Pnative"
tresor_dev_start || fail "no dev server"
cd "$WORK"

step "the KEK: an AES-256 key labelled $KEK, generated in Tresor through the library"
version1=$(kek_generate $KEK)

for mode in gcm tresor wrap; do
  step "$mode: provision volume vol-$mode and format its LUKS2 container with the key"
  csi provision $mode $KEK "vol-$mode" "blob.$mode" >"dek.$mode" || fail "provision $mode"
  [ "$(stat -c %s "dek.$mode")" = 64 ] || fail "the volume key is not 64 bytes"
  [ "$(blob_uid "blob.$mode")" = "$version1" ] || fail "the $mode blob does not name the KEK"
  luks_format "disk.$mode" "dek.$mode"
done
if cmp -s dek.gcm dek.wrap || cmp -s dek.gcm dek.tresor; then fail "two volumes got the same key"; fi

step "restart the server; a new process recovers every key and opens every container"
tresor_dev_restart || fail "restart"
for mode in gcm tresor wrap; do
  csi recover $mode $KEK "vol-$mode" "blob.$mode" >"recovered.$mode" 2>"recover.$mode.err" || fail "recover $mode"
  cmp -s "dek.$mode" "recovered.$mode" || fail "$mode: the recovered key differs"
  luks_opens "disk.$mode" "recovered.$mode" || fail "$mode: the recovered key does not open the container"
  if grep -q rewrap "recover.$mode.err"; then fail "rewrap asked before any rotation"; fi
done

step "another volume's id (the GCM AAD) does not recover the key"
if csi recover gcm $KEK vol-other blob.gcm >/dev/null 2>&1; then fail "another volume's AAD decrypted"; fi
if csi recover tresor $KEK vol-other blob.tresor >/dev/null 2>&1; then fail "another volume's AAD decrypted (tresor)"; fi

step "rotate the KEK: new volumes use the new version, old blobs still open and ask for a rewrap"
version2=$(rekey "$version1") || fail "ReKey"
[ -n "$version2" ] && [ "$version2" != "$version1" ] || fail "ReKey returned '$version2'"
csi provision gcm $KEK vol-new blob.new >dek.new || fail "provision after rotation"
[ "$(blob_uid blob.new)" = "$version2" ] || fail "the new blob names $(blob_uid blob.new), not $version2"
csi provision tresor $KEK vol-new blob.new-tresor >/dev/null || fail "provision tresor after rotation"
uid_len=$(od -An -tu1 -N1 blob.new-tresor | tr -d ' ')
header=$(od -An -tx1 -j $((uid_len + 1)) -N5 blob.new-tresor | tr -d ' \n')
[ "$header" = 0100000002 ] || fail "the Tresor ciphertext header is $header, not format 1, version 2"
for mode in gcm tresor wrap; do
  csi recover $mode $KEK "vol-$mode" "blob.$mode" >"rotated.$mode" 2>"rotated.$mode.err" || fail "recover $mode after rotation"
  cmp -s "dek.$mode" "rotated.$mode" || fail "$mode: key differs after rotation"
  luks_opens "disk.$mode" "rotated.$mode" || fail "$mode: container does not open after rotation"
  grep -qx rewrap "rotated.$mode.err" || fail "$mode: recovering under the old version did not ask for a rewrap"
done

step "passed"
