// Fuzzes the dedup window with (id, time step) pairs from the input against a simple
// reference (insertion-ordered deque + map), and checks that its memory never moves.
// Ids come in any order, so the window goes in and out of keeping its index; positions
// from remember() are checked to reach their entry exactly while it lives.
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
  std::pair<std::uint32_t, std::uint64_t> kept{0, UINT64_MAX};  // (position, id) from the last remember()
  std::uint64_t kept_value = 0;
  for (std::size_t i = 2; i + 1 < size; i += 2) {
    const std::uint64_t id = data[i] & 0x3f;  // few ids: many duplicates
    now += (data[i + 1] & 0x0f) * sluice::ns_per_ms / 2;
    while (!order.empty() && order.front().second + ttl <= now) {
      values.erase(order.front().first);
      order.pop_front();
    }
    // Half the steps go through observe(), half through find_position() and
    // remember() as the reactor does, keeping the position to reach the entry later.
    const bool by_position = (data[i] & 0x40) != 0;
    sluice::dedup_result r;
    if (by_position) {
      const std::uint32_t at = window.find_position(id, now);
      if (at != sluice::dedup_window::npos) {
        r = {sluice::dedup_verdict::duplicate, window.value(at)};
      } else {
        kept = {window.remember(id, i, now), id};
        kept_value = i;
      }
    } else {
      r = window.observe(id, i, now);
    }
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
    // A kept position reaches its id's entry while the reference holds that id from
    // the same remember(), and nothing once the id is gone. (An id forgotten and then
    // remembered again may land on the same position: that entry is then reached, as
    // a lookup by id would find it.)
    if (kept.second != UINT64_MAX) {
      const std::uint64_t* value = window.value_at(kept.first, kept.second);
      const auto held = values.find(kept.second);
      const bool same = held != values.end() && held->second == kept_value;
      const bool wrong = held == values.end() ? value != nullptr
                         : same               ? value == nullptr || *value != kept_value
                                              : value != nullptr && *value != held->second;
      if (wrong) {
        std::fprintf(stderr, "a remembered position disagrees with the reference at byte %zu\n", i);
        std::abort();
      }
    }
  }
  return 0;
}
