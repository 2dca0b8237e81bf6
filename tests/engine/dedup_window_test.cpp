// The dedup window answers fresh/duplicate, forgets after its TTL, drops the oldest
// when full, and its memory never moves whatever the input.
#include "engine/dedup_window.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <unordered_map>

#include "tests/support/seed.hpp"

namespace sluice {
namespace {

dedup_window_config config_of(std::uint32_t entries, time_ns ttl) {
  return dedup_window_config{.entries_max = entries, .ttl_ns = ttl, .hash_seed = 7};
}

TEST(dedup_window, duplicate_reports_the_original_value) {
  dedup_window w(config_of(8, ns_per_s));
  EXPECT_EQ(w.observe(42, 1001, 0).verdict, dedup_verdict::fresh);
  const dedup_result again = w.observe(42, 2002, 10);
  EXPECT_EQ(again.verdict, dedup_verdict::duplicate);
  EXPECT_EQ(again.value, 1001u);
  EXPECT_EQ(w.counters().duplicates_total.load(), 1u);
}

TEST(dedup_window, value_can_be_filled_in_later) {
  dedup_window w(config_of(8, ns_per_s));
  ASSERT_EQ(w.observe(42, 0, 0).verdict, dedup_verdict::fresh);
  std::uint64_t* value = w.find(42, 5);
  ASSERT_NE(value, nullptr);
  *value = 77;
  EXPECT_EQ(w.observe(42, 0, 6).value, 77u);
}

TEST(dedup_window, ids_expire_after_the_ttl) {
  dedup_window w(config_of(8, ns_per_s));
  ASSERT_EQ(w.observe(1, 1, 0).verdict, dedup_verdict::fresh);
  EXPECT_EQ(w.observe(1, 1, ns_per_s - 1).verdict, dedup_verdict::duplicate);
  EXPECT_EQ(w.observe(1, 2, ns_per_s).verdict, dedup_verdict::fresh);  // forgotten at exactly the TTL
  EXPECT_EQ(w.counters().expired_total.load(), 1u);
}

TEST(dedup_window, full_window_drops_the_oldest) {
  dedup_window w(config_of(4, 60 * ns_per_s));
  for (std::uint64_t id = 1; id <= 5; ++id) ASSERT_EQ(w.observe(id, id, id).verdict, dedup_verdict::fresh);
  EXPECT_EQ(w.size(), 4u);
  EXPECT_EQ(w.counters().evicted_full_total.load(), 1u);
  EXPECT_EQ(w.find(1, 10), nullptr);
  EXPECT_NE(w.find(2, 10), nullptr);
}

// Ids above every id seen skip the lookup; lower ids, new or repeated, still get one.
TEST(dedup_window, ids_out_of_order_are_still_checked) {
  dedup_window w(config_of(8, 60 * ns_per_s));
  ASSERT_EQ(w.observe(100, 1, 0).verdict, dedup_verdict::fresh);
  EXPECT_EQ(w.observe(5, 2, 1).verdict, dedup_verdict::fresh);
  EXPECT_EQ(w.observe(5, 3, 2).value, 2u);
  EXPECT_EQ(w.observe(100, 4, 3).value, 1u);
  EXPECT_EQ(w.find(99, 4), nullptr);
  EXPECT_EQ(w.find(101, 4), nullptr);
  w.remember(101, 5, 5);
  EXPECT_EQ(w.observe(101, 6, 6).value, 5u);
  EXPECT_EQ(w.counters().duplicates_total.load(), 3u);
}

// Ascending ids keep no index; one out of order builds it, and once that id has left
// the window the ids ascend again and the index is dropped. Lookups agree throughout.
TEST(dedup_window, index_is_kept_only_while_ids_are_out_of_order) {
  dedup_window w(config_of(4, 60 * ns_per_s));
  for (std::uint64_t id = 10; id <= 12; ++id) w.remember(id, id, 0);
  EXPECT_TRUE(w.ordered());
  EXPECT_NE(w.find(11, 0), nullptr);  // found by searching the ring
  EXPECT_EQ(w.find(5, 0), nullptr);
  w.remember(5, 5, 0);  // 10 11 12 5
  EXPECT_FALSE(w.ordered());
  EXPECT_EQ(*w.find(5, 0), 5u);
  EXPECT_EQ(*w.find(10, 0), 10u);
  w.remember(20, 20, 0);  // 11 12 5 20
  w.remember(21, 21, 0);  // 12 5 20 21
  EXPECT_FALSE(w.ordered());
  w.remember(22, 22, 0);  // 5 20 21 22: 5 is the oldest, the rest ascend from it
  EXPECT_TRUE(w.ordered());
  EXPECT_EQ(*w.find(5, 0), 5u);
  EXPECT_EQ(*w.find(21, 0), 21u);
  EXPECT_EQ(w.find(12, 0), nullptr);
}

// A position from remember() reaches its entry until the entry is forgotten, and
// never reaches another id's entry that took its place.
TEST(dedup_window, a_remembered_position_reaches_only_its_own_entry) {
  dedup_window w(config_of(2, ns_per_s));
  const std::uint32_t at = w.remember(7, 70, 0);
  ASSERT_NE(w.value_at(at, 7), nullptr);
  *w.value_at(at, 7) = 71;
  EXPECT_EQ(w.observe(7, 0, 1).value, 71u);
  EXPECT_EQ(w.value_at(at, 8), nullptr);  // the right place, another id
  w.remember(8, 80, 2);
  EXPECT_NE(w.value_at(at, 7), nullptr);
  w.remember(9, 90, 3);  // the window holds 2: 7 is dropped, 9 takes its place
  EXPECT_EQ(w.value_at(at, 7), nullptr);
  EXPECT_EQ(w.value_at(w.remember(10, 100, 4), 10) != nullptr, true);
  EXPECT_EQ(w.value_at(1'000'000, 10), nullptr);  // not a position at all
  const std::uint32_t nine = w.find_position(9, 5);
  ASSERT_NE(nine, dedup_window::npos);
  EXPECT_EQ(w.value(nine), 90u);
  EXPECT_EQ(w.find_position(9, 3 + ns_per_s), dedup_window::npos);  // expired
}

// Against a reference (a deque in insertion order plus a map) under random input,
// and with memory fixed from construction on. Two kinds of input: ids drawn at random
// (mostly from a small range, so repeats are common), and a client's ids, ascending
// with retries of recent ones (the lookup-free path for ids above all seen).
void check_against_reference(const char* name, bool ascending) {
  std::mt19937_64 rng(test::test_seed(name));
  const std::uint32_t entries = 1 + static_cast<std::uint32_t>(rng() % 128);
  const time_ns ttl = (1 + rng() % 1000) * ns_per_ms;
  dedup_window w(config_of(entries, ttl));
  const std::size_t memory = w.memory_bytes();
  std::deque<std::pair<std::uint64_t, time_ns>> order;
  std::unordered_map<std::uint64_t, std::uint64_t> values;
  time_ns now = 0;
  std::uint64_t next_id = 1;
  for (int step = 0; step < 1'000'000; ++step) {
    now += rng() % (2 * ns_per_ms);
    while (!order.empty() && order.front().second + ttl <= now) {
      values.erase(order.front().first);
      order.pop_front();
    }
    std::uint64_t id = 0;
    if (ascending) {
      id = rng() % 4 == 0 && next_id > 1 ? next_id - 1 - rng() % std::min<std::uint64_t>(next_id - 1, 3 * entries)
                                         : next_id++;
    } else {
      id = rng() % 4 == 0 ? rng() : rng() % (2 * entries + 1);
    }
    const dedup_result r = w.observe(id, static_cast<std::uint64_t>(step), now);
    const auto it = values.find(id);
    if (it != values.end()) {
      ASSERT_EQ(r.verdict, dedup_verdict::duplicate) << "step " << step;
      ASSERT_EQ(r.value, it->second);
    } else {
      ASSERT_EQ(r.verdict, dedup_verdict::fresh) << "step " << step;
      if (order.size() == entries) {
        values.erase(order.front().first);
        order.pop_front();
      }
      order.emplace_back(id, now);
      values[id] = static_cast<std::uint64_t>(step);
    }
    ASSERT_EQ(w.size(), order.size());
  }
  EXPECT_EQ(w.memory_bytes(), memory);
}

TEST(dedup_window, matches_a_reference_and_memory_stays_fixed) { check_against_reference("dedup_window", false); }

TEST(dedup_window, matches_a_reference_for_ascending_ids_with_retries) {
  check_against_reference("dedup_window_ascending", true);
}

}  // namespace
}  // namespace sluice
