// Per-source admission: rate, concurrency, the penalty box, the bounded source table,
// and a counter per refusal reason.
#include "engine/source_limiter.hpp"

#include <gtest/gtest.h>

namespace sluice {
namespace {

source_limiter_config test_config() {
  source_limiter_config c;
  c.sources_max = 4;
  c.connections_per_source_max = 3;
  c.connect_rate_per_s = 10;
  c.connect_burst = 5;
  c.misuse_rate_per_s = 1;
  c.misuse_burst = 4;
  c.penalty_ns = 30 * ns_per_s;
  c.hash_seed = 42;
  return c;
}

std::uint64_t refused(const source_limiter& l, refusal r) {
  return l.counters().refused_total[static_cast<std::size_t>(r)].load();
}

const source_address alice = source_address::from_ipv4(0x7f000001);
const source_address bob = source_address::from_ipv4(0x7f000002);

TEST(source_limiter, connection_rate_has_burst_then_steady_rate) {
  source_limiter_config c = test_config();
  c.connections_per_source_max = 100;
  source_limiter l(c);
  const time_ns t0 = 100 * ns_per_s;
  for (int i = 0; i < 5; ++i) ASSERT_EQ(l.admit(alice, t0), refusal::none) << i;
  EXPECT_EQ(l.admit(alice, t0), refusal::rate);
  EXPECT_EQ(l.admit(bob, t0), refusal::none);  // rates are per source
  EXPECT_EQ(l.admit(alice, t0 + 100 * ns_per_ms), refusal::none);
  EXPECT_EQ(refused(l, refusal::rate), 1u);
  EXPECT_EQ(l.counters().admitted_total.load(), 7u);
}

TEST(source_limiter, concurrency_is_capped_and_released) {
  source_limiter l(test_config());
  const time_ns t0 = 100 * ns_per_s;
  for (int i = 0; i < 3; ++i) ASSERT_EQ(l.admit(alice, t0), refusal::none);
  EXPECT_EQ(l.admit(alice, t0), refusal::concurrency);
  EXPECT_EQ(l.connections_of(alice), 3u);
  l.release(alice);
  EXPECT_EQ(l.admit(alice, t0), refusal::none);
  EXPECT_EQ(refused(l, refusal::concurrency), 1u);
  EXPECT_EQ(l.counters().connections.load(), 3);
}

TEST(source_limiter, sustained_misuse_is_penalized_for_the_configured_time) {
  source_limiter l(test_config());
  const time_ns t0 = 100 * ns_per_s;
  for (int i = 0; i < 4; ++i) l.report_misuse(alice, t0);  // the misuse burst is forgiven
  EXPECT_FALSE(l.penalized(alice, t0));
  l.report_misuse(alice, t0);  // sustained: into the box
  EXPECT_TRUE(l.penalized(alice, t0));
  EXPECT_EQ(l.counters().penalties_total.load(), 1u);
  EXPECT_EQ(l.admit(alice, t0 + 29 * ns_per_s), refusal::penalty);
  EXPECT_EQ(l.admit(bob, t0), refusal::none);  // others are not affected
  EXPECT_EQ(l.admit(alice, t0 + 30 * ns_per_s), refusal::none);
  EXPECT_EQ(refused(l, refusal::penalty), 1u);
}

TEST(source_limiter, hammering_past_the_rate_earns_a_penalty) {
  source_limiter_config c = test_config();
  c.connections_per_source_max = 1'000;
  source_limiter l(c);
  const time_ns t0 = 100 * ns_per_s;
  int rate_refusals = 0;
  refusal last = refusal::none;
  for (int i = 0; i < 20 && last != refusal::penalty; ++i) {
    last = l.admit(alice, t0);
    rate_refusals += last == refusal::rate ? 1 : 0;
  }
  EXPECT_EQ(last, refusal::penalty);
  EXPECT_EQ(rate_refusals, 5);  // 5 admitted, 4 forgiven refusals, the 5th refusal penalizes, then penalty
  // Admitted again once the penalty has run out.
  EXPECT_EQ(l.admit(alice, t0 + 30 * ns_per_s), refusal::none);
}

TEST(source_limiter, full_table_evicts_least_recently_seen_idle_source) {
  source_limiter l(test_config());
  const time_ns t0 = 100 * ns_per_s;
  for (std::uint32_t ip = 1; ip <= 4; ++ip) {
    ASSERT_EQ(l.admit(source_address::from_ipv4(ip), t0), refusal::none);
    l.release(source_address::from_ipv4(ip));
  }
  ASSERT_EQ(l.admit(source_address::from_ipv4(1), t0), refusal::none);  // 1 is busy and recent
  ASSERT_EQ(l.admit(source_address::from_ipv4(5), t0), refusal::none);  // evicts 2, the oldest idle
  EXPECT_EQ(l.counters().sources_evicted_total.load(), 1u);
  EXPECT_EQ(l.counters().sources.load(), 4);
  EXPECT_EQ(l.connections_of(source_address::from_ipv4(1)), 1u);
  // Source 2 was forgotten: it comes back as a new source, evicting 3, now the oldest idle one.
  ASSERT_EQ(l.admit(source_address::from_ipv4(2), t0), refusal::none);
  EXPECT_EQ(l.counters().sources_evicted_total.load(), 2u);
  EXPECT_EQ(l.counters().sources.load(), 4);
}

TEST(source_limiter, full_table_of_busy_sources_refuses_new_ones) {
  source_limiter l(test_config());
  const time_ns t0 = 100 * ns_per_s;
  for (std::uint32_t ip = 1; ip <= 4; ++ip) ASSERT_EQ(l.admit(source_address::from_ipv4(ip), t0), refusal::none);
  EXPECT_EQ(l.admit(source_address::from_ipv4(9), t0), refusal::source_table_full);
  EXPECT_EQ(refused(l, refusal::source_table_full), 1u);
  l.release(source_address::from_ipv4(3));
  EXPECT_EQ(l.admit(source_address::from_ipv4(9), t0), refusal::none);
}

TEST(source_limiter, ipv4_is_stored_v4_mapped) {
  const source_address a = source_address::from_ipv4(0xc0a80001);  // 192.168.0.1
  EXPECT_EQ(a.bytes[10], 0xff);
  EXPECT_EQ(a.bytes[11], 0xff);
  EXPECT_EQ(a.bytes[12], 192);
  EXPECT_EQ(a.bytes[15], 1);
}

}  // namespace
}  // namespace sluice
