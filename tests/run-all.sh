#!/usr/bin/env bash
# The whole test suite, the one command CI runs (.ci/run):
#   1. installs the Debian packages the tests need (as root, or through sudo),
#   2. builds everything and runs every Java test, the native PKCS#11 library included
#      (mvn -B verify -Pnative), which also builds kms-server/target/tresor.jar,
#   3. runs every shell test tests/*.sh against that jar, in name order.
# Exits non-zero if any step fails; shell tests all run even after one failed.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(curl jq openssl xxd python3 python3-pykmip python3-fusepy gcc make pkg-config libssl-dev opensc softhsm2 wrk cryptsetup)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed' || missing+=("$package")
done
if ((${#missing[@]})); then
  as_root=()
  if [ "$(id -u)" -ne 0 ]; then as_root=(sudo); fi
  echo "run-all: installing ${missing[*]}"
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

mvn -B verify -Pnative

failed=()
for test in tests/*.sh; do
  [ "$test" = tests/run-all.sh ] && continue
  echo "run-all: $test"
  if ! bash "$test"; then failed+=("$test"); fi
done
if ((${#failed[@]})); then
  echo "run-all: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "run-all: all tests passed"
