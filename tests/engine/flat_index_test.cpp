// The open-addressing index against std::unordered_map, with colliding hashes so
// backward-shift deletion is exercised across wrapped clusters.
#include "engine/flat_index.hpp"

#include <gtest/gtest.h>

#include <random>
#include <unordered_map>
#include <vector>

#include "tests/support/seed.hpp"

namespace sluice {
namespace {

TEST(flat_index, matches_a_reference_map_under_churn) {
  std::mt19937_64 rng(test::test_seed("flat_index"));
  constexpr std::uint32_t records_max = 300;
  flat_index index(records_max);
  std::vector<std::uint64_t> keys(records_max, 0);  // slot -> key, 0 = free
  std::unordered_map<std::uint64_t, std::uint32_t> reference;
  // Few distinct hash buckets: long clusters that wrap around the table's end.
  const auto hash_of = [](std::uint64_t key) { return (key % 13) * 0x9e3779b97f4a7c15ull + (key % 3) * 1021; };
  for (int step = 0; step < 200'000; ++step) {
    const std::uint64_t key = 1 + rng() % 600;
    const std::uint32_t found = index.find(hash_of(key), [&](std::uint32_t slot) { return keys[slot] == key; });
    const auto it = reference.find(key);
    ASSERT_EQ(found == flat_index::npos, it == reference.end()) << "step " << step;
    if (it != reference.end()) {
      ASSERT_EQ(found, it->second);
      if (rng() % 2) {
        index.erase(hash_of(key), found);
        keys[found] = 0;
        reference.erase(it);
      }
    } else if (reference.size() < records_max) {
      std::uint32_t slot = 0;
      while (keys[slot] != 0) ++slot;
      keys[slot] = key;
      index.insert(hash_of(key), slot);
      reference[key] = slot;
    }
    ASSERT_EQ(index.size(), reference.size());
  }
}

}  // namespace
}  // namespace sluice
