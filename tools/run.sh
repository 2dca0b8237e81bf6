#!/usr/bin/env bash
# The README's run command: installs missing packages, builds the release preset and
# starts sluice. Until the sluiced server lands (issue 3) this runs the engine demo,
# which drives one shard on a virtual clock and prints every decision it makes.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target sluice-demo
exec ./build/release/tools/sluice-demo "$@"
