#!/usr/bin/env bash
# sluice against Redis and NATS, same workloads, same machine, one run.
#
#   bash bench/compare.sh [--reps N] [--seconds S] [--quick] [--no-docs]
#
# Installs what is missing (tools/install-deps.sh --with-peers: the build's packages,
# redis-server and nats-server), builds the release preset, starts sluiced, redis-server
# and nats-server on loopback ports of their own, and runs the matrix below with
# tools/sluice-load against each.
#
# Cores: the harness runs on CPU 0 and every server on the others (taskset), each
# allowed as many threads as it has cores there: sluiced --threads, NATS GOMAXPROCS;
# Redis serves from one thread whatever the count. On a 2-core machine that is one core
# each. (Sharing every core with the harness measured worse for all three servers:
# their threads and the harness's preempt one another.) Every row runs against every server N times (default 3),
# interleaved: repetition by repetition, and the servers' order rotates each time, so
# drift on the machine touches all three alike. Then the table (median with min-max),
# the verdicts and the plots are written into docs/benchmarks.md (between the
# compare:begin/end markers) and docs/plots/; --no-docs prints them instead.
#
# --quick: one repetition of 1 s per row (a smoke run of the script itself).
# Takes about 6 minutes with the defaults. Every run is bounded by sluice-load itself.
set -euo pipefail
cd "$(dirname "$0")/.."

reps=3
seconds=3
write_docs=1
while (($#)); do
  case "$1" in
    --reps) reps="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --quick) reps=1; seconds=1; shift ;;
    --no-docs) write_docs=0; shift ;;
    *) echo "compare.sh: unknown argument $1 (see the header of this script)" >&2; exit 2 ;;
  esac
done

bash tools/install-deps.sh --with-peers
cmake --preset release >/dev/null
cmake --build --preset release --target sluiced sluice-load sluice-compare-report
bin=build/release/tools

work=$(mktemp -d /tmp/sluice-compare.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# A loopback port nothing listens on (a connect to it is refused), taken below the
# kernel's ephemeral range: a port in it may be the local end of one of the harness's
# own connections, which a server cannot bind (seen: "nothing listens on port 44084").
free_port() {
  local port low
  read -r low _ </proc/sys/net/ipv4/ip_local_port_range
  if ((low <= 11024)); then
    echo "compare.sh: the ephemeral port range starts at $low; no room below it" >&2
    exit 1
  fi
  for _ in $(seq 1 100); do
    port=$((10000 + RANDOM % (low - 10000)))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  echo "compare.sh: no free port found" >&2
  exit 1
}

# Waits (at most 10 s) until something accepts connections on the port.
await_port() {
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return; fi
    sleep 0.1
  done
  echo "compare.sh: nothing listens on port $1; logs in $work" >&2
  exit 1
}

# Other servers already running share the cores and skew every row (seen: a stray
# idle sluiced and redis-server from earlier experiments). Warn, do not refuse: they
# may be someone's real services.
for name in sluiced redis-server nats-server sluice-load; do
  if pgrep -x "$name" >/dev/null; then
    echo "compare.sh: warning: a $name is already running (pids $(pgrep -x "$name" | tr '\n' ' ')); it competes with the measured servers" >&2
  fi
done

cores=$(nproc)
if ((cores >= 2)); then
  server_cpus=$( ((cores == 2)) && echo 1 || echo "1-$((cores - 1))")
  server_threads=$((cores - 1))
  on_servers=(taskset -c "$server_cpus")
  on_harness=(taskset -c 0)
else
  server_cpus="0"
  server_threads=1
  on_servers=()
  on_harness=()
fi

declare -A port pid
port[sluice]=$(free_port)
"${on_servers[@]}" "$bin/sluiced" --port "${port[sluice]}" --threads "$server_threads" --data-dir "$work/sluice-data" \
  --config bench/compare/sluiced.toml >"$work/sluiced.log" 2>&1 &
pid[sluice]=$!
pids+=("$!")
await_port "${port[sluice]}"

port[redis]=$(free_port)
# Persistence off (sluice's WAL is off too); clients and backlog as high as sluice's.
"${on_servers[@]}" redis-server --port "${port[redis]}" --bind 127.0.0.1 --save '' --appendonly no --maxclients 50000 \
  --tcp-backlog 4096 >"$work/redis.log" 2>&1 &
pid[redis]=$!
pids+=("$!")
await_port "${port[redis]}"

port[nats]=$(free_port)
GOMAXPROCS=$server_threads "${on_servers[@]}" nats-server -a 127.0.0.1 -p "${port[nats]}" >"$work/nats.log" 2>&1 &
pid[nats]=$!
pids+=("$!")
await_port "${port[nats]}"

# The matrix: a label and sluice-load's workload arguments.
rows=(
  "fanout-64B-w16|--subscribers 100 --payload 64 --window 16"
  "fanout-64B-w256|--subscribers 100 --payload 64 --window 256"
  "fanout-1KiB-w16|--subscribers 100 --payload 1024 --window 16"
  "fanout-1KiB-w256|--subscribers 100 --payload 1024 --window 256"
  "fanout-paced-5k|--subscribers 100 --payload 64 --rate 5000"
  "pairs50-w1|--pairs 50 --payload 64 --window 1"
  "pairs50-w16|--pairs 50 --payload 64 --window 16"
  "pairs50-w256|--pairs 50 --payload 64 --window 256"
  "storm-5000-at-once|--storm 5000"
  "storm-5000-256-in-flight|--storm 5000 --in-flight 256"
  "reconnect-1000|--reconnect-storm 1000 --rate 200"
)
targets=(sluice redis nats)
results="$work/results.jsonl"
failed_runs=0
for ((rep = 0; rep < reps; ++rep)); do
  for entry in "${rows[@]}"; do
    label=${entry%%|*}
    read -r -a args <<<"${entry#*|}"
    for ((k = 0; k < ${#targets[@]}; ++k)); do
      target=${targets[$(((k + rep) % ${#targets[@]}))]}
      echo "compare: repetition $((rep + 1))/$reps, $label, $target" >&2
      if ! "${on_harness[@]}" "$bin/sluice-load" --target "$target" --port "${port[$target]}" --label "$label" \
        --server-pid "${pid[$target]}" --seconds "$seconds" "${args[@]}" >>"$results"; then
        failed_runs=$((failed_runs + 1))
      fi
    done
  done
done

machine() {
  echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores visible"
  echo "- memory: $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo); kernel $(uname -r)"
  echo "- cores: the harness on CPU 0, the servers on CPU $server_cpus (sluiced --threads $server_threads," \
    "NATS GOMAXPROCS=$server_threads, Redis single-threaded)"
  echo "- servers: sluiced $(git rev-parse --short HEAD) (bench/compare/sluiced.toml)," \
    "$(redis-server --version | awk '{print $3}' | tr -d 'v='| sed 's/^/redis-server /')," \
    "$(nats-server --version | sed 's/^nats-server: v/nats-server /')"
  echo "- $reps repetitions of ${seconds} s per row and server, interleaved; one harness thread; $(date -u +%Y-%m-%d)"
}

if ((write_docs)); then
  mkdir -p docs/plots
  section="$work/section.md"
  {
    echo "<!-- compare:begin (written by bench/compare.sh; edit the script, not this) -->"
    echo
    echo "Command: \`bash bench/compare.sh\`"
    echo
    machine
    echo
    "$bin/sluice-compare-report" "$results" --plots docs/plots --plot-link plots
    echo
    echo "<!-- compare:end -->"
  } >"$section"
  # Replace the old section, or append one.
  if grep -q '<!-- compare:begin' docs/benchmarks.md; then
    awk -v file="$section" '
      /<!-- compare:begin/ { while ((getline line < file) > 0) print line; skipping = 1; next }
      /<!-- compare:end -->/ { skipping = 0; next }
      !skipping { print }' docs/benchmarks.md >"$work/benchmarks.md"
    cp "$work/benchmarks.md" docs/benchmarks.md
  else
    { echo; echo "## sluice, Redis and NATS: the same workloads in one run"; echo; cat "$section"; } >>docs/benchmarks.md
  fi
  cp "$results" docs/plots/compare-results.jsonl
  echo "compare: docs/benchmarks.md and docs/plots/ updated" >&2
else
  machine
  echo
  "$bin/sluice-compare-report" "$results"
fi
if ((failed_runs > 0)); then
  echo "compare: $failed_runs runs reported errors (see the table's errors column)" >&2
  exit 1
fi
