// Expiring 100k of 1M sessions: the shard's wheel-driven expiry against a janitor that
// scans the whole table (the design the audits criticised: a map of sessions walked
// on a fixed interval).
//
// Setup (untimed): 1M detached sessions. 100k have resume deadlines spread uniformly
// over one second [W, W + 1 s); the other 900k expire long after. Timed: the second in
// which the 100k fall due.
//  - wheel: session_shard::advance once per 1 ms tick (1000 calls, budget 1024 each);
//    every session expires at most one tick late.
//  - scan every 10 ms / 100 ms / once: the janitor walks all 1M entries of an
//    std::unordered_map and erases the due ones; a session expires up to one
//    interval late.
// The burst variant puts all 100k deadlines on one tick, to show the budget spreading
// a mass expiry over calls. Counters: expired (must be 100k), calls, and the longest
// single call (max_call_us).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <unordered_map>
#include <vector>

#include "engine/session_shard.hpp"

namespace {

using namespace sluice;
using steady = std::chrono::steady_clock;

constexpr std::uint32_t session_count = 1'000'000;
constexpr std::uint32_t expiring_count = 100'000;
constexpr time_ns window_ns = 60 * ns_per_s;  // resume window W
constexpr std::uint32_t budget = 1'024;

struct plan {
  std::vector<session_id> ids;
  std::vector<time_ns> detached_at;  // deadline = detached_at + W
};

// Expiring sessions detach at times spread over [0, 1 s) (or all at 0 for a burst); the
// rest between 2 s and 100 s.
const plan& make_plan(bool burst) {
  static plan plans[2];
  plan& p = plans[burst ? 1 : 0];
  if (!p.ids.empty()) return p;
  std::mt19937_64 rng(777);
  p.ids.resize(session_count);
  p.detached_at.resize(session_count);
  for (std::uint32_t i = 0; i < session_count; ++i) {
    p.ids[i] = session_id{rng(), rng()};
    p.detached_at[i] = i < expiring_count ? (burst ? 0 : rng() % ns_per_s) : 2 * ns_per_s + rng() % (98 * ns_per_s);
  }
  return p;
}

session_shard_config shard_config() {
  session_shard_config c;
  c.sessions_max = session_count;
  c.resume_window_ns = window_ns;
  c.hash_seed = 99;
  return c;
}

void BM_expiry_wheel(benchmark::State& state) {
  const bool burst = state.range(0) != 0;
  const plan& p = make_plan(burst);
  std::int64_t expired = 0, calls = 0;
  double max_call_us = 0;
  for (auto _ : state) {
    session_shard shard(shard_config());
    for (std::uint32_t i = 0; i < session_count; ++i) {
      const session_ref ref = shard.open(p.ids[i], 0).ref;
      (void)shard.activate(ref, 0);
      (void)shard.detach(ref, p.detached_at[i]);
    }
    shard.advance(window_ns - ns_per_ms, budget, [](const session_event&) {});
    expired = 0;
    calls = 0;
    const auto count = [&](const session_event&) { ++expired; };
    const auto start = steady::now();
    for (time_ns now = window_ns; now <= window_ns + ns_per_s; now += ns_per_ms) {
      timing_wheel::advance_result r;
      do {  // a reactor calls again next iteration while there is backlog; here, at once
        const auto call_start = steady::now();
        r = shard.advance(now, budget, count);
        max_call_us =
            std::max(max_call_us, std::chrono::duration<double, std::micro>(steady::now() - call_start).count());
        ++calls;
      } while (r.backlog);
    }
    state.SetIterationTime(std::chrono::duration<double>(steady::now() - start).count());
    if (expired != expiring_count) state.SkipWithError("wrong number of sessions expired");
  }
  state.counters["expired"] = static_cast<double>(expired);
  state.counters["calls"] = static_cast<double>(calls);
  state.counters["max_call_us"] = max_call_us;
}

struct scanned_session {
  time_ns deadline_ns;
  session_state state;
};

struct id_hash {
  std::size_t operator()(const session_id& id) const { return id.lo; }
};

void BM_expiry_scan(benchmark::State& state) {
  const time_ns interval_ns = static_cast<time_ns>(state.range(0)) * ns_per_ms;
  const plan& p = make_plan(false);
  std::int64_t expired = 0, calls = 0;
  double max_call_us = 0;
  for (auto _ : state) {
    std::unordered_map<session_id, scanned_session, id_hash> table;
    table.reserve(session_count);
    for (std::uint32_t i = 0; i < session_count; ++i) {
      table.emplace(p.ids[i], scanned_session{p.detached_at[i] + window_ns, session_state::detached});
    }
    expired = 0;
    calls = 0;
    const auto start = steady::now();
    // One scan per interval; the last one falls at or after W + 1 s, when all 100k are due.
    for (time_ns now = window_ns + interval_ns; now < window_ns + ns_per_s + interval_ns; now += interval_ns) {
      const auto call_start = steady::now();
      for (auto it = table.begin(); it != table.end();) {
        if (it->second.deadline_ns <= now) {
          it = table.erase(it);
          ++expired;
        } else {
          ++it;
        }
      }
      max_call_us =
          std::max(max_call_us, std::chrono::duration<double, std::micro>(steady::now() - call_start).count());
      ++calls;
    }
    state.SetIterationTime(std::chrono::duration<double>(steady::now() - start).count());
    if (expired != expiring_count) state.SkipWithError("wrong number of sessions expired");
  }
  state.counters["expired"] = static_cast<double>(expired);
  state.counters["calls"] = static_cast<double>(calls);
  state.counters["max_call_us"] = max_call_us;
}

BENCHMARK(BM_expiry_wheel)->Arg(0)->ArgName("burst")->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_expiry_wheel)->Arg(1)->ArgName("burst")->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_expiry_scan)
    ->Arg(10)
    ->ArgName("interval_ms")
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);
BENCHMARK(BM_expiry_scan)
    ->Arg(100)
    ->ArgName("interval_ms")
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);
BENCHMARK(BM_expiry_scan)
    ->Arg(1000)
    ->ArgName("interval_ms")
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

}  // namespace
