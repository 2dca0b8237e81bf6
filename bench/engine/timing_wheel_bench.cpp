// The timing wheel against the two usual alternatives, at 1M pending timers:
//  - std::priority_queue with lazy deletion (cancel bumps a generation; dead entries
//    are skipped when they surface, and the heap is rebuilt when they outnumber the
//    live ones, which bounds its memory);
//  - std::multimap (cancel erases by iterator).
// Same pre-drawn random delays for every contender, so the work is identical.
//
//   schedule_cancel: arm one extra timer at a random deadline and cancel it.
//   schedule_expire: steady state; time moves a tick per iteration and every due timer
//                    is re-armed at a random deadline, so 1M stay pending. Items are
//                    expirations (each with its re-arm).
// The 1M start out as a timer population that has been running for a long time, not
// as freshly armed timers: otherwise the expiry rate climbs from ~15 to ~30 per tick
// over the first 65k ticks, and a contender that runs more iterations would be
// timed over busier ticks.
#include <benchmark/benchmark.h>

#include <map>
#include <queue>
#include <random>
#include <vector>

#include "engine/timing_wheel.hpp"

namespace {

using namespace sluice;

constexpr std::size_t pending_count = 1'000'000;
constexpr std::uint64_t delay_ticks_max = 65'536;  // ~1 min at 1 ms: ~15 expirations per tick
constexpr std::size_t delay_count = 1 << 20;

const std::vector<std::uint64_t>& delays() {
  static const std::vector<std::uint64_t> d = [] {
    std::mt19937_64 rng(12345);
    std::vector<std::uint64_t> v(delay_count);
    for (auto& x : v) x = 1 + rng() % delay_ticks_max;
    return v;
  }();
  return d;
}

// Remaining delays of a steady population of timers re-armed with `delays()`: a timer
// sits at remaining delay k with probability proportional to P(delay >= k), that is
// to delay_ticks_max - k + 1 (the renewal process's stationary residual time).
const std::vector<std::uint64_t>& initial_delays() {
  static const std::vector<std::uint64_t> d = [] {
    std::vector<double> weight(delay_ticks_max);
    for (std::uint64_t k = 1; k <= delay_ticks_max; ++k) weight[k - 1] = static_cast<double>(delay_ticks_max - k + 1);
    std::discrete_distribution<std::uint64_t> residual(weight.begin(), weight.end());
    std::mt19937_64 rng(54321);
    std::vector<std::uint64_t> v(pending_count);
    for (auto& x : v) x = 1 + residual(rng);
    return v;
  }();
  return d;
}

// ---- timing wheel ----
struct wheel_timer {
  timer_node node;
};

struct wheel_fixture {
  std::vector<wheel_timer> timers{pending_count + 1};  // outlives the wheel, which disarms them
  timing_wheel wheel{{.tick_ns = 1, .origin_ns = 0}};  // time in ticks directly
  std::uint64_t now = 0;
  wheel_fixture() {
    for (std::size_t i = 0; i < pending_count; ++i) wheel.schedule(timers[i].node, initial_delays()[i]);
  }
};

void BM_wheel_schedule_cancel(benchmark::State& state) {
  wheel_fixture f;
  timer_node& extra = f.timers[pending_count].node;
  const std::vector<std::uint64_t>& delay = delays();  // the harness, not the contender
  std::size_t d = 0;
  for (auto _ : state) {
    f.wheel.schedule(extra, f.now + delay[d++ & (delay_count - 1)]);
    f.wheel.cancel(extra);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_wheel_schedule_expire(benchmark::State& state) {
  wheel_fixture f;
  const std::vector<std::uint64_t>& delay = delays();  // the harness, not the contender
  std::size_t d = 0;
  std::int64_t expired = 0;
  for (auto _ : state) {
    ++f.now;
    f.wheel.advance(f.now, UINT32_MAX, [&](timer_node& node) {
      f.wheel.schedule(node, f.now + delay[d++ & (delay_count - 1)]);
      ++expired;
    });
  }
  state.SetItemsProcessed(expired);
}

// ---- priority queue with lazy deletion ----
struct heap_entry {
  std::uint64_t deadline;
  std::uint32_t timer;
  std::uint32_t generation;
  bool operator>(const heap_entry& o) const { return deadline > o.deadline; }
};

class lazy_heap : public std::priority_queue<heap_entry, std::vector<heap_entry>, std::greater<>> {
 public:
  explicit lazy_heap(std::size_t timers) : generation_(timers, 0), armed_(timers, false) {}
  void schedule(std::uint32_t timer, std::uint64_t deadline) {
    if (armed_[timer]) cancel(timer);
    armed_[timer] = true;
    ++live_;
    push({deadline, timer, generation_[timer]});
  }
  void cancel(std::uint32_t timer) {
    if (!armed_[timer]) return;
    armed_[timer] = false;
    ++generation_[timer];
    --live_;
    if (size() > 2 * live_ + 1024) compact();
  }
  template <class F>
  void expire(std::uint64_t now, F&& on_expire) {
    while (!empty() && top().deadline <= now) {
      const heap_entry e = top();
      pop();
      if (e.generation != generation_[e.timer]) continue;  // cancelled: skip
      armed_[e.timer] = false;
      ++generation_[e.timer];
      --live_;
      on_expire(e.timer);
    }
  }

 private:
  void compact() {
    std::erase_if(c, [&](const heap_entry& e) { return e.generation != generation_[e.timer]; });
    std::make_heap(c.begin(), c.end(), comp);
  }
  std::vector<std::uint32_t> generation_;
  std::vector<bool> armed_;
  std::size_t live_ = 0;
};

struct heap_fixture {
  lazy_heap heap{pending_count + 1};
  std::uint64_t now = 0;
  heap_fixture() {
    for (std::uint32_t i = 0; i < pending_count; ++i) heap.schedule(i, initial_delays()[i]);
  }
};

void BM_heap_schedule_cancel(benchmark::State& state) {
  heap_fixture f;
  const std::vector<std::uint64_t>& delay = delays();  // the harness, not the contender
  std::size_t d = 0;
  for (auto _ : state) {
    f.heap.schedule(pending_count, f.now + delay[d++ & (delay_count - 1)]);
    f.heap.cancel(pending_count);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_heap_schedule_expire(benchmark::State& state) {
  heap_fixture f;
  const std::vector<std::uint64_t>& delay = delays();  // the harness, not the contender
  std::size_t d = 0;
  std::int64_t expired = 0;
  for (auto _ : state) {
    ++f.now;
    f.heap.expire(f.now, [&](std::uint32_t timer) {
      f.heap.schedule(timer, f.now + delay[d++ & (delay_count - 1)]);
      ++expired;
    });
  }
  state.SetItemsProcessed(expired);
}

// ---- multimap ----
struct map_fixture {
  std::multimap<std::uint64_t, std::uint32_t> map;
  std::vector<std::multimap<std::uint64_t, std::uint32_t>::iterator> where;
  std::uint64_t now = 0;
  map_fixture() : where(pending_count + 1) {
    for (std::uint32_t i = 0; i < pending_count; ++i) where[i] = map.emplace(initial_delays()[i], i);
  }
};

void BM_multimap_schedule_cancel(benchmark::State& state) {
  map_fixture f;
  const std::vector<std::uint64_t>& delay = delays();  // the harness, not the contender
  std::size_t d = 0;
  for (auto _ : state) {
    f.where[pending_count] = f.map.emplace(f.now + delay[d++ & (delay_count - 1)], pending_count);
    f.map.erase(f.where[pending_count]);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_multimap_schedule_expire(benchmark::State& state) {
  map_fixture f;
  const std::vector<std::uint64_t>& delay = delays();  // the harness, not the contender
  std::size_t d = 0;
  std::int64_t expired = 0;
  for (auto _ : state) {
    ++f.now;
    while (!f.map.empty() && f.map.begin()->first <= f.now) {
      const std::uint32_t timer = f.map.begin()->second;
      f.map.erase(f.map.begin());
      f.where[timer] = f.map.emplace(f.now + delay[d++ & (delay_count - 1)], timer);
      ++expired;
    }
  }
  state.SetItemsProcessed(expired);
}

BENCHMARK(BM_wheel_schedule_cancel);
BENCHMARK(BM_heap_schedule_cancel);
BENCHMARK(BM_multimap_schedule_cancel);
BENCHMARK(BM_wheel_schedule_expire);
BENCHMARK(BM_heap_schedule_expire);
BENCHMARK(BM_multimap_schedule_expire);

}  // namespace
