#!/usr/bin/env bash
# REST smoke test: starts `serve --dev` from the built jar in a fresh directory and, with curl,
# jq and openssl only, walks a key's whole life: key ring, AES and RSA-3072 keys, 64 KiB
# encrypt/decrypt, rotation (old ciphertext still decrypts), RSA-OAEP data encrypted by openssl,
# sign/verify checked by openssl, BYOK import with the openssl recipe of docs/operations.md,
# delete and restore, both exports. Then SIGTERM must stop the server cleanly, and a restart
# must reuse the project and the token.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAR=$ROOT/kms-server/target/tresor.jar
[ -f "$JAR" ] || { echo "rest-smoke: $JAR is missing; run mvn package first" >&2; exit 1; }
WORK=$(mktemp -d)
PID=
cleanup() {
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill -KILL "$PID"; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"

fail() {
  echo "rest-smoke: FAIL: $*" >&2
  [ -f server.log ] && { echo "--- server log:" >&2; tail -n 40 server.log >&2; }
  exit 1
}
step() { echo "rest-smoke: $*"; }

start_server() {
  if [ -f server.log ]; then mv server.log previous-server.log; fi
  TRESOR_REST_PORT=0 TRESOR_KMIP_PORT=0 java -jar "$JAR" serve --dev >server.log 2>&1 &
  PID=$!
  for _ in $(seq 1 120); do
    if grep -q '^tresor: ready' server.log 2>/dev/null; then break; fi
    kill -0 "$PID" 2>/dev/null || fail "the server exited during start-up"
    sleep 0.5
  done
  grep -q '^tresor: ready' server.log || fail "the server did not start within 60 s"
  DEV=$WORK/tresor-data/dev
  [ -f "$DEV/dev.json" ] || fail "dev.json was not written"
  CA=$(jq -r .caFile "$DEV/dev.json")
  TOKEN=$(jq -r .adminToken "$DEV/dev.json")
  PROJECT=$(jq -r .projectId "$DEV/dev.json")
  URL=$(jq -r .restUrl "$DEV/dev.json")
  API=$URL/v1/projects/$PROJECT/regions/$(jq -r .regionId "$DEV/dev.json")
}

# Sends SIGTERM and expects the orderly stop: exit status 143 and "tresor: stopped" last.
stop_server() {
  kill -TERM "$PID"
  local status=0
  wait "$PID" || status=$?
  PID=
  [ "$status" = 143 ] || fail "exit status after SIGTERM: $status, expected 143"
  [ "$(tail -n 1 server.log)" = "tresor: stopped" ] || fail "last log line is not 'tresor: stopped'"
}

# call METHOD PATH EXPECTED_STATUS [BODY or @FILE]: the answer lands in body.json.
call() {
  local method=$1 path=$2 expected=$3 data=${4:-} status
  local args=(-s -o body.json -w '%{http_code}' --cacert "$CA" -H "Authorization: Bearer $TOKEN" -X "$method")
  if [ -n "$data" ]; then args+=(-H 'Content-Type: application/json' --data-binary "$data"); fi
  status=$(curl "${args[@]}" "$API$path") || fail "$method $path: curl failed with exit status $?"
  [ "$status" = "$expected" ] || fail "$method $path: HTTP $status, expected $expected: $(head -c 300 body.json)"
}
field() { jq -er "$1 | select(. != null) | tostring" body.json || fail "no $1 in $(head -c 300 body.json)"; }
expect() { [ "$(field "$1")" = "$2" ] || fail "$1 is $(field "$1"), expected $2"; }
json_data() { printf '{"data":"%s"}' "$(base64 -w0 "$1")" > "$2"; }
oaep_encrypt() { # PUBLIC_PEM IN OUT: RSA-OAEP, SHA-256 for OAEP and MGF1, no label
  openssl pkeyutl -encrypt -pubin -inkey "$1" -in "$2" -out "$3" \
    -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256
}
wrap_kwp() { # PUBLIC_PEM MATERIAL OUT: RSA-OAEP(ephemeral AES-256 key) || AES-KWP(material), docs/operations.md
  openssl rand 32 > ephemeral.bin
  oaep_encrypt "$1" ephemeral.bin part1.bin
  openssl enc -id-aes256-wrap-pad -K "$(xxd -p -c 64 ephemeral.bin)" -iv A65959A6 -in "$2" -out part2.bin
  cat part1.bin part2.bin > "$3"
}

step "starting serve --dev in $WORK"
start_server
for file in ca.pem kmip-client.pem kmip-client.key pkcs11.conf; do
  [ -s "$DEV/$file" ] || fail "$DEV/$file was not written"
done
[ "$(jq -r .regionId "$DEV/dev.json")" = eu01 ] || fail "regionId is not eu01"
grep -q "curl --cacert $DEV/ca.pem" server.log || fail "the start-up message has no curl example"
openssl verify -CAfile "$CA" "$DEV/kmip-client.pem" >/dev/null || fail "kmip-client.pem is not signed by ca.pem"

step "authentication: no token is 401, another project is 404"
status=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$CA" "$API/keyrings")
[ "$status" = 401 ] || fail "no token: HTTP $status, expected 401"
status=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$CA" -H "Authorization: Bearer $TOKEN" \
  "$URL/v1/projects/00000000-0000-4000-8000-000000000000/regions/eu01/keyrings")
[ "$status" = 404 ] || fail "unknown project: HTTP $status, expected 404"

step "key ring and AES-256-GCM key"
call POST /keyrings 202 '{"displayName":"smoke","description":"rest smoke test"}'
RING=$(field .id)
call POST "/keyrings/$RING/keys" 202 \
  '{"displayName":"aes","algorithm":"aes_256_gcm","purpose":"symmetric_encrypt_decrypt","protection":"software"}'
AES=$(field .id)
expect .algorithm aes_256_gcm
call GET "/keyrings/$RING/keys/$AES/versions" 200
expect '.versions | length' 1
expect '.versions[0].number' 1

step "64 KiB encrypt/decrypt; 64 KiB + 1 refused"
head -c 65536 /dev/urandom > plain.bin
json_data plain.bin plain.json
call POST "/keyrings/$RING/keys/$AES/versions/1/encrypt" 200 @plain.json
field .data > ct1.b64
printf '{"data":"%s"}' "$(cat ct1.b64)" > ct1.json
call POST "/keyrings/$RING/keys/$AES/versions/1/decrypt" 200 @ct1.json
field .data | base64 -d > decrypted.bin
cmp -s plain.bin decrypted.bin || fail "64 KiB round trip changed the data"
head -c 65537 /dev/urandom > big.bin
json_data big.bin big.json
call POST "/keyrings/$RING/keys/$AES/versions/1/encrypt" 400 @big.json
field .message >/dev/null

step "rotate: version 2 is new, version 1 ciphertext still decrypts, never through version 2's URL"
call POST "/keyrings/$RING/keys/$AES/rotate" 202
expect .number 2
call POST "/keyrings/$RING/keys/$AES/versions/1/decrypt" 200 @ct1.json
[ "$(field .data)" = "$(base64 -w0 plain.bin)" ] || fail "old ciphertext decrypts differently after rotation"
call POST "/keyrings/$RING/keys/$AES/versions/2/decrypt" 400 @ct1.json
call POST "/keyrings/$RING/keys/$AES/versions/2/encrypt" 200 '{"data":"aGVsbG8="}'
printf '{"data":"%s"}' "$(field .data)" > ct2.json
call POST "/keyrings/$RING/keys/$AES/versions/2/decrypt" 200 @ct2.json
expect .data aGVsbG8=

step "RSA-3072 OAEP: data encrypted by openssl with the version's public key decrypts"
call POST "/keyrings/$RING/keys" 202 \
  '{"displayName":"rsa","algorithm":"rsa_3072_oaep_sha256","purpose":"asymmetric_encrypt_decrypt","protection":"software"}'
RSA=$(field .id)
call GET "/keyrings/$RING/keys/$RSA/versions/1" 200
field .publicKey > rsa.pem
head -c 300 /dev/urandom > secret.bin
oaep_encrypt rsa.pem secret.bin secret.enc
json_data secret.enc secret.json
call POST "/keyrings/$RING/keys/$RSA/versions/1/decrypt" 200 @secret.json
[ "$(field .data)" = "$(base64 -w0 secret.bin)" ] || fail "openssl OAEP ciphertext decrypted to other data"

step "sign/verify: RSA-3072 PSS and ECDSA P-256, both checked by openssl"
head -c 1000 /dev/urandom > message.bin
json_data message.bin message.json
for spec in "rsa_3072_pss_sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32" "ecdsa_p256_sha256"; do
  read -r algorithm sigopts <<<"$spec"
  call POST "/keyrings/$RING/keys" 202 \
    "{\"displayName\":\"$algorithm\",\"algorithm\":\"$algorithm\",\"purpose\":\"asymmetric_sign_verify\",\"protection\":\"software\"}"
  SIGNER=$(field .id)
  call POST "/keyrings/$RING/keys/$SIGNER/versions/1/sign" 200 @message.json
  SIGNATURE=$(field .signature)
  printf '%s' "$SIGNATURE" | base64 -d > signature.bin
  call POST "/keyrings/$RING/keys/$SIGNER/versions/1/verify" 200 \
    "{\"data\":\"$(base64 -w0 message.bin)\",\"signature\":\"$SIGNATURE\"}"
  expect .valid true
  call POST "/keyrings/$RING/keys/$SIGNER/versions/1/verify" 200 \
    "{\"data\":\"$(printf 'other' | base64 -w0)\",\"signature\":\"$SIGNATURE\"}"
  expect .valid false
  call GET "/keyrings/$RING/keys/$SIGNER/versions/1" 200
  field .publicKey > signer.pem
  # shellcheck disable=SC2086
  openssl dgst -sha256 $sigopts -verify signer.pem -signature signature.bin message.bin >/dev/null \
    || fail "openssl rejects the $algorithm signature"
done

step "BYOK: both wrapped formats of docs/operations.md, made with openssl"
call POST "/keyrings/$RING/keys" 202 '{"displayName":"byok","algorithm":"aes_256_gcm",
  "purpose":"symmetric_encrypt_decrypt","protection":"software","importOnly":true}'
BYOK=$(field .id)
expect .importOnly true
for wrapping in rsa_3072_oaep_sha256_aes_256_key_wrap rsa_3072_oaep_sha256; do
  call POST "/keyrings/$RING/wrappingkeys" 202 "{\"displayName\":\"wrap\",\"algorithm\":\"$wrapping\",
    \"purpose\":\"wrap_symmetric_key\",\"protection\":\"software\"}"
  WRAP=$(field .id)
  field .publicKey > wrapping.pem
  openssl rand 32 > material.bin
  if [ "$wrapping" = rsa_3072_oaep_sha256 ]; then
    oaep_encrypt wrapping.pem material.bin wrapped.bin
  else
    wrap_kwp wrapping.pem material.bin wrapped.bin
    [ "$(stat -c %s wrapped.bin)" = 424 ] || fail "RSA-3072 part + KWP of 32 bytes should be 424 bytes"
  fi
  call POST "/keyrings/$RING/keys/$BYOK/import" 202 \
    "{\"wrappingKeyId\":\"$WRAP\",\"wrappedKey\":\"$(base64 -w0 wrapped.bin)\"}"
  VERSION=$(field .number)
  expect .state active
  call POST "/keyrings/$RING/keys/$BYOK/versions/$VERSION/encrypt" 200 '{"data":"Ynlvaw=="}'
  printf '{"data":"%s"}' "$(field .data)" > byok.json
  call POST "/keyrings/$RING/keys/$BYOK/versions/$VERSION/decrypt" 200 @byok.json
  expect .data Ynlvaw==
done
call GET "/keyrings/$RING/keys/$BYOK/versions" 200
expect '.versions | length' 2
call POST "/keyrings/$RING/keys/$BYOK/import" 400 \
  "{\"wrappingKeyId\":\"$WRAP\",\"wrappedKey\":\"$(head -c 384 /dev/urandom | base64 -w0)\"}"
call GET "/keyrings/$RING/keys/$BYOK/versions" 200
expect '.versions | length' 2
call POST "/keyrings/$RING/keys/$BYOK/rotate" 403

step "BYOK: an RSA-3072 private key of our own (PKCS#8 DER), its signatures verify under our public key"
call POST "/keyrings/$RING/keys" 202 '{"displayName":"byok-rsa","algorithm":"rsa_3072_pss_sha256",
  "purpose":"asymmetric_sign_verify","protection":"software","importOnly":true}'
BYOK_RSA=$(field .id)
call POST "/keyrings/$RING/wrappingkeys" 202 '{"displayName":"wrap-rsa",
  "algorithm":"rsa_3072_oaep_sha256_aes_256_key_wrap","purpose":"wrap_asymmetric_key","protection":"software"}'
WRAP_RSA=$(field .id)
field .publicKey > wrapping-rsa.pem
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out own.pem 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in own.pem -outform DER -out own.der
openssl pkey -in own.pem -pubout -out own-public.pem
wrap_kwp wrapping-rsa.pem own.der wrapped-rsa.bin
call POST "/keyrings/$RING/keys/$BYOK_RSA/import" 202 \
  "{\"wrappingKeyId\":\"$WRAP_RSA\",\"wrappedKey\":\"$(base64 -w0 wrapped-rsa.bin)\"}"
expect .number 1
call POST "/keyrings/$RING/keys/$BYOK_RSA/versions/1/sign" 200 @message.json
field .signature | base64 -d > own-signature.bin
openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -verify own-public.pem \
  -signature own-signature.bin message.bin >/dev/null || fail "the imported key signs with other material"

step "delete schedules deletion 30 days ahead and blocks use; restore brings the key back"
call DELETE "/keyrings/$RING/keys/$AES" 202
call GET "/keyrings/$RING/keys/$AES" 200
expect .state deleted
DELETION=$(field .deletionDate)
days=$(( ($(date -d "$DELETION" +%s) - $(date +%s) + 3600) / 86400 ))
[ "$days" = 30 ] || fail "deletionDate $DELETION is not 30 days ahead"
call POST "/keyrings/$RING/keys/$AES/versions/1/decrypt" 409 @ct1.json
call POST "/keyrings/$RING/keys/$AES/restore" 204
call GET "/keyrings/$RING/keys/$AES" 200
expect .state active
jq -e 'has("deletionDate") | not' body.json >/dev/null || fail "a restored key still has a deletionDate"
call POST "/keyrings/$RING/keys/$AES/versions/1/decrypt" 200 @ct1.json

step "exports: metadata and audit log"
call GET /export/metadata 200
expect .counts.keyRings 1
expect .counts.keys 6
expect .counts.versions 8
expect .counts.wrappingKeys 3
FROM=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)
TO=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
call GET "/export/audit?from=$FROM&to=$TO" 200
[ "$(field '.records | length')" -ge 30 ] || fail "the audit export holds fewer records than calls made"
call GET "/export/audit?to=$FROM" 200
expect '.records | length' 0

step "SIGTERM stops the server cleanly; a restart reuses project and token"
stop_server
start_server
[ "$(jq -r .projectId "$DEV/dev.json")" = "$PROJECT" ] || fail "the restart created another project"
call GET "/keyrings/$RING/keys/$AES/versions/1" 200
call POST "/keyrings/$RING/keys/$AES/versions/1/decrypt" 200 @ct1.json
[ "$(field .data)" = "$(base64 -w0 plain.bin)" ] || fail "data encrypted before the restart decrypts differently"
stop_server
step "passed"
