#!/usr/bin/env bash
# Builds and runs every test: the release build, the ASan+UBSan build, and a short
# smoke run of every libFuzzer target. This is the README's test command and all that
# CI runs. Installs missing packages first (tools/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/install-deps.sh

for preset in release asan fuzz; do
  echo "== ${preset}: configure, build, test"
  cmake --preset "${preset}" >/dev/null
  cmake --build --preset "${preset}"
  ctest --preset "${preset}"
done
echo "== all presets passed: release, asan, fuzz"
