// Counters and gauges written by exactly one thread (a shard's owner) and read by any
// (a metrics scrape sums them over shards).
//
// The writer does a relaxed load and store, not a read-modify-write: with a single
// writer no update can be lost, and the store costs the same as a plain one on x86.
// Readers see each value whole (no torn reads) and possibly slightly stale, which a
// scrape tolerates. Using them from two writing threads is a bug.
#pragma once

#include <atomic>
#include <cstdint>

namespace sluice {

class counter {
 public:
  void add(std::uint64_t n = 1) noexcept {
    value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  [[nodiscard]] std::uint64_t load() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class gauge {
 public:
  void add(std::int64_t n = 1) noexcept {
    value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  void sub(std::int64_t n = 1) noexcept { add(-n); }
  [[nodiscard]] std::int64_t load() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> value_{0};
};

}  // namespace sluice
