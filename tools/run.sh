#!/usr/bin/env bash
# The README's run command: installs missing packages, builds the release preset and
# starts sluiced on its embedded default configuration with ./sluice-data as its data
# directory. Arguments are passed to sluiced (--port, --threads, --config, ...).
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target sluiced
exec ./build/release/tools/sluiced "$@"
