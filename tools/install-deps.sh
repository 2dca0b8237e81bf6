#!/usr/bin/env bash
# Installs, with apt-get, exactly the Debian 12 packages sluice builds and tests with
# that are not installed yet. Idempotent: when nothing is missing it only runs dpkg-query
# and returns in well under a second.
#
#   --with-peers   also the servers bench/compare.sh measures sluice against
set -euo pipefail

packages=(
  # toolchain
  cmake ninja-build g++ clang-14 libclang-rt-14-dev pkg-config git
  # engine and net
  liburing-dev libconcurrentqueue-dev libxxhash-dev libmimalloc-dev
  # later issues: HTTP/WebSocket (Beast), token HMAC, config, CLI
  libboost1.81-dev libssl-dev libtomlplusplus-dev libcli11-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
)
if [[ "${1:-}" == "--with-peers" ]]; then
  packages+=(redis-server nats-server)
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if ((EUID != 0)); then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
