// Fuzzes the dedup window with (id, time step) pairs from the input against a simple
// reference (insertion-ordered deque + map), and checks that its memory never moves.
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <unordered_map>

#include "engine/dedup_window.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint32_t entries = 1 + data[0] % 32;
  const sluice::time_ns ttl = (1 + data[1]) * sluice::ns_per_ms;
  sluice::dedup_window window({.entries_max = entries, .ttl_ns = ttl, .hash_seed = 3});
  const std::size_t memory = window.memory_bytes();
  std::deque<std::pair<std::uint64_t, sluice::time_ns>> order;
  std::unordered_map<std::uint64_t, std::uint64_t> values;
  sluice::time_ns now = 0;
  for (std::size_t i = 2; i + 1 < size; i += 2) {
    const std::uint64_t id = data[i] & 0x3f;  // few ids: many duplicates
    now += (data[i + 1] & 0x0f) * sluice::ns_per_ms / 2;
    while (!order.empty() && order.front().second + ttl <= now) {
      values.erase(order.front().first);
      order.pop_front();
    }
    const sluice::dedup_result r = window.observe(id, i, now);
    const auto it = values.find(id);
    const bool expect_duplicate = it != values.end();
    if ((r.verdict == sluice::dedup_verdict::duplicate) != expect_duplicate ||
        (expect_duplicate && r.value != it->second)) {
      std::fprintf(stderr, "dedup window disagrees with the reference at byte %zu\n", i);
      std::abort();
    }
    if (!expect_duplicate) {
      if (order.size() == entries) {
        values.erase(order.front().first);
        order.pop_front();
      }
      order.emplace_back(id, now);
      values[id] = i;
    }
    if (window.size() != order.size() || window.memory_bytes() != memory) std::abort();
  }
  return 0;
}
