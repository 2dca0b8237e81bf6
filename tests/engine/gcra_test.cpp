// The GCRA bucket admits exactly what a classic token bucket admits.
#include "engine/gcra.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "tests/support/seed.hpp"

namespace sluice {
namespace {

TEST(gcra, burst_then_steady_rate) {
  const gcra_params p = gcra_params::from_rate(10, 5);  // 10/s, burst 5
  gcra_state s;
  const time_ns t0 = 1'000 * ns_per_s;
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(gcra_try_take(s, p, t0)) << i;
  EXPECT_FALSE(gcra_try_take(s, p, t0));
  EXPECT_FALSE(gcra_try_take(s, p, t0 + 99 * ns_per_ms));
  EXPECT_TRUE(gcra_try_take(s, p, t0 + 100 * ns_per_ms));  // one token per 100 ms
  EXPECT_FALSE(gcra_try_take(s, p, t0 + 100 * ns_per_ms));
}

TEST(gcra, refusal_does_not_consume) {
  const gcra_params p = gcra_params::from_rate(1, 1);
  gcra_state s;
  ASSERT_TRUE(gcra_try_take(s, p, ns_per_s));
  for (int i = 0; i < 100; ++i) ASSERT_FALSE(gcra_try_take(s, p, ns_per_s + 500 * ns_per_ms));
  EXPECT_TRUE(gcra_try_take(s, p, 2 * ns_per_s));
}

// A token bucket in the obvious form: tokens counted in nanoseconds of refill.
struct reference_bucket {
  time_ns capacity, cost, tokens, last;
  bool take(time_ns now) {
    tokens = std::min(capacity, tokens + (now - last));
    last = now;
    if (tokens < cost) return false;
    tokens -= cost;
    return true;
  }
};

TEST(gcra, matches_a_reference_token_bucket) {
  std::mt19937_64 rng(test::test_seed("gcra"));
  for (int round = 0; round < 200; ++round) {
    const std::uint32_t burst = 1 + static_cast<std::uint32_t>(rng() % 50);
    const time_ns interval = 1 + rng() % (10 * ns_per_ms);
    const gcra_params p{interval, interval * (burst - 1)};
    const time_ns start = interval * burst + rng() % ns_per_s;  // a full bucket at the start
    reference_bucket b{interval * burst, interval, interval * burst, start};
    gcra_state s;
    time_ns now = start;
    for (int i = 0; i < 2'000; ++i) {
      now += rng() % (3 * interval);
      ASSERT_EQ(gcra_try_take(s, p, now), b.take(now)) << "round " << round << " step " << i;
    }
  }
}

TEST(gcra, extreme_rates_do_not_overflow) {
  const gcra_params slow = gcra_params::from_rate(1e-12, 4'000'000'000u);
  gcra_state s;
  EXPECT_TRUE(gcra_try_take(s, slow, time_ns_max - 1));
  const gcra_params fast = gcra_params::from_rate(1e12, 1);
  EXPECT_EQ(fast.interval_ns, 1u);
}

}  // namespace
}  // namespace sluice
