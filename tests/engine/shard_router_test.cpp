// Shard routing spreads ids evenly. Binomial noise sets what "evenly" can mean: with n
// ids over N shards a shard's count has relative spread sqrt((N-1)/n). At n = 1M and
// N = 64 that is 0.79%, so a +-2% bound is only 2.5 sigma and an ideal hash would
// break it for some shard most of the time. The test therefore uses 4M ids (2% is
// then >= 5 sigma for every N up to 64, failure odds ~1e-4 per run for an ideal hash),
// so a failure means the routing is skewed, not that the dice were unkind.
#include "engine/shard_router.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "tests/support/seed.hpp"

namespace sluice {
namespace {

constexpr std::size_t id_count = 4'000'000;

void expect_balanced(const std::vector<std::uint64_t>& hashes, const char* what) {
  for (std::uint32_t shards = 2; shards <= 64; ++shards) {
    std::vector<std::uint32_t> counts(shards, 0);
    for (const std::uint64_t h : hashes) ++counts[reduce_to_range(h, shards)];
    const double mean = static_cast<double>(hashes.size()) / shards;
    for (std::uint32_t s = 0; s < shards; ++s) {
      ASSERT_NEAR(counts[s], mean, 0.02 * mean) << what << ": shard " << s << " of " << shards;
    }
  }
}

TEST(shard_router, random_ids_spread_within_two_percent_for_2_to_64_shards) {
  std::mt19937_64 rng(test::test_seed("shard_router"));
  std::vector<std::uint64_t> hashes(id_count);
  for (auto& h : hashes) h = hash_session_id(session_id{rng(), rng()}, 0);
  expect_balanced(hashes, "random ids");
}

// Structured ids (a counter in steps of 64) would all land on one shard under a
// routing that used the id's low bits; the hash must spread them as well.
TEST(shard_router, structured_ids_spread_within_two_percent) {
  std::vector<std::uint64_t> hashes(id_count);
  for (std::size_t i = 0; i < id_count; ++i) hashes[i] = hash_session_id(session_id{0, i * 64}, 0);
  expect_balanced(hashes, "structured ids");
}

TEST(shard_router, routing_is_stable_and_in_range) {
  const session_id id{0x0123456789abcdefull, 0xfedcba9876543210ull};
  for (std::uint32_t shards = 1; shards <= 64; ++shards) {
    const std::uint32_t s = shard_of(id, shards);
    EXPECT_LT(s, shards);
    EXPECT_EQ(s, shard_of(id, shards));
  }
  EXPECT_EQ(shard_of_topic("prices.eur", 8), shard_of_topic("prices.eur", 8));
  EXPECT_LT(shard_of_topic("", 8), 8u);
}

}  // namespace
}  // namespace sluice
