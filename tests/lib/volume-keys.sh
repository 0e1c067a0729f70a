# Sourced by csi-flow.sh and attestation-flow.sh: the steps both take to make a KEK through the
# library and LUKS2 containers with the volume keys it protects. Needs $TRESOR_PKCS11_LIB
# (benchmarks/pkcs11/dev-server.sh sets it) and a fail() of the sourcing script.

# kek_generate LABEL: an AES-256 KEK generated in Tresor through pkcs11-tool; prints its Unique ID.
kek_generate() {
  pkcs11-tool --module "$TRESOR_PKCS11_LIB" --keygen --key-type AES:32 --label "$1" >keygen.txt 2>&1 \
    || fail "keygen: $(cat keygen.txt)"
  local uid
  uid=$(sed -nE 's/^ *Unique ID: *(.*)$/\1/p' keygen.txt)
  [ -n "$uid" ] || fail "no Unique ID: $(cat keygen.txt)"
  echo "$uid"
}

# luks_format DISK KEYFILE: a 20 MiB LUKS2 container file DISK whose passphrase is KEYFILE.
luks_format() {
  truncate -s 20M "$1"
  cryptsetup luksFormat --type luks2 --pbkdf pbkdf2 --pbkdf-force-iterations 1000 --batch-mode "$1" \
    --key-file "$2" || fail "luksFormat $1"
}
