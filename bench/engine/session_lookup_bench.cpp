// Session lookup and insert: the shard (owned by one thread, no lock; with 2 threads
// each owns its own shard, as each reactor does) against std::unordered_map behind a
// std::mutex shared by the threads. 1M sessions per table.
//   lookup: find a random existing id.
//   churn:  insert a new id and remove it (open + close).
#include <benchmark/benchmark.h>

#include <memory>
#include <mutex>
#include <random>
#include <unordered_map>
#include <vector>

#include "engine/session_shard.hpp"

namespace {

using namespace sluice;

constexpr std::uint32_t session_count = 1'000'000;
constexpr std::size_t probe_count = 1 << 16;

std::vector<session_id> make_ids(std::uint64_t seed, std::size_t n) {
  std::mt19937_64 rng(seed);
  std::vector<session_id> ids(n);
  for (auto& id : ids) id = session_id{rng(), rng()};
  return ids;
}

struct id_hash {
  std::size_t operator()(const session_id& id) const { return id.lo ^ (id.hi * 0x9e3779b97f4a7c15ull); }
};

std::unique_ptr<session_shard> make_shard(const std::vector<session_id>& ids) {
  session_shard_config c;
  c.sessions_max = session_count + 1;
  c.hash_seed = 5;
  auto shard = std::make_unique<session_shard>(c);
  for (const auto& id : ids) (void)shard->open(id, 0);
  return shard;
}

void BM_shard_lookup(benchmark::State& state) {
  const auto ids = make_ids(1 + static_cast<std::uint64_t>(state.thread_index()), session_count);
  const auto shard = make_shard(ids);  // this thread's own shard
  std::mt19937_64 rng(3);
  std::vector<std::uint32_t> probes(probe_count);
  for (auto& p : probes) p = static_cast<std::uint32_t>(rng() % session_count);
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(shard->find(ids[probes[i++ & (probe_count - 1)]]));
  state.SetItemsProcessed(state.iterations());
}

void BM_shard_churn(benchmark::State& state) {
  const auto ids = make_ids(1 + static_cast<std::uint64_t>(state.thread_index()), session_count);
  const auto shard = make_shard(ids);
  const auto fresh = make_ids(1000 + static_cast<std::uint64_t>(state.thread_index()), probe_count);
  std::size_t i = 0;
  for (auto _ : state) {
    const open_result r = shard->open(fresh[i++ & (probe_count - 1)], 0);
    (void)shard->close(r.ref);
  }
  state.SetItemsProcessed(state.iterations());
}

// Shared by all threads, as a map behind one lock is.
struct locked_map {
  std::mutex mutex;
  std::unordered_map<session_id, std::uint64_t, id_hash> map;
  std::vector<session_id> ids;
};

locked_map& shared_map() {
  static locked_map* m = [] {
    auto* lm = new locked_map;  // lives for the process: threads of every benchmark share it
    lm->ids = make_ids(1, session_count);
    lm->map.reserve(2 * session_count);
    for (std::uint32_t i = 0; i < session_count; ++i) lm->map.emplace(lm->ids[i], i);
    return lm;
  }();
  return *m;
}

void BM_mutex_map_lookup(benchmark::State& state) {
  locked_map& m = shared_map();
  std::mt19937_64 rng(3 + static_cast<std::uint64_t>(state.thread_index()));
  std::vector<std::uint32_t> probes(probe_count);
  for (auto& p : probes) p = static_cast<std::uint32_t>(rng() % session_count);
  std::size_t i = 0;
  for (auto _ : state) {
    std::lock_guard lock(m.mutex);
    benchmark::DoNotOptimize(m.map.find(m.ids[probes[i++ & (probe_count - 1)]]));
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_mutex_map_churn(benchmark::State& state) {
  locked_map& m = shared_map();
  const auto fresh = make_ids(1000 + static_cast<std::uint64_t>(state.thread_index()), probe_count);
  std::size_t i = 0;
  for (auto _ : state) {
    const session_id& id = fresh[i++ & (probe_count - 1)];
    {
      std::lock_guard lock(m.mutex);
      m.map.emplace(id, 0);
    }
    std::lock_guard lock(m.mutex);
    m.map.erase(id);
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_shard_lookup)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_mutex_map_lookup)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_shard_churn)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_mutex_map_churn)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace
