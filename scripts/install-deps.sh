#!/usr/bin/env bash
# install-deps.sh — installs the Debian packages Suture builds and tests with, only those missing.
# Called by scripts/demo.sh and scripts/test.sh; safe to run again (does nothing when all are present).
set -euo pipefail

PACKAGES=(
  cmake ninja-build g++ clang libclang-rt-14-dev pkg-config python3
  antlr4 libantlr4-runtime-dev
  llvm-19-dev
  nlohmann-json3-dev libboost-dev libyaml-cpp-dev libgtest-dev
  libsimdjson-dev libsqlite3-dev libssl-dev libicu-dev
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
