// A shard's subscriptions: found by session and by topic, bounded per session and per
// shard, slots reused with a new generation.
#include "engine/topics/subscription_table.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace sluice {
namespace {

session_ref session_at(std::uint32_t slot) { return session_ref{slot, 1}; }

std::vector<std::uint32_t> sorted(std::span<const std::uint32_t> s) {
  std::vector<std::uint32_t> v(s.begin(), s.end());
  std::sort(v.begin(), v.end());
  return v;
}

TEST(SubscriptionTable, FindsBySessionAndByTopic) {
  subscription_table t(100, 10, 8, 1);
  const auto a = t.add(session_at(0), "x", 2);
  const auto b = t.add(session_at(1), "x", 2);
  const auto c = t.add(session_at(1), "y", 0);
  ASSERT_EQ(a.status, proto::error_code::none);
  EXPECT_EQ(t.find(session_at(0), "x"), a.index);
  EXPECT_EQ(t.find(session_at(1), "y"), c.index);
  EXPECT_EQ(t.find(session_at(0), "y"), subscription_table::npos);
  EXPECT_EQ(sorted(t.of_topic("x")), sorted(std::vector<std::uint32_t>{a.index, b.index}));
  EXPECT_EQ(sorted(t.of_session(1)), sorted(std::vector<std::uint32_t>{b.index, c.index}));
  EXPECT_EQ(t.topic_of(t[c.index]), "y");
  EXPECT_EQ(t.owner_of(t[a.index]), 2u);
  EXPECT_EQ(t[a.index].state, subscription_state::waiting);
  EXPECT_EQ(t.size(), 3u);
  EXPECT_EQ(t.counters().subscriptions.load(), 3);
}

TEST(SubscriptionTable, RemovingTheLastSubscriberForgetsTheTopic) {
  subscription_table t(100, 10, 8, 1);
  const auto a = t.add(session_at(0), "x", 2);
  const auto b = t.add(session_at(1), "x", 2);
  t.remove(a.index);
  EXPECT_EQ(sorted(t.of_topic("x")), std::vector<std::uint32_t>{b.index});
  t.remove(b.index);
  EXPECT_TRUE(t.of_topic("x").empty());
  EXPECT_TRUE(t.of_session(0).empty());
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.counters().subscriptions.load(), 0);
}

TEST(SubscriptionTable, ASlotReusedIsANewGeneration) {
  subscription_table t(100, 10, 8, 1);
  const auto a = t.add(session_at(0), "x", 0);
  const std::uint32_t first = t[a.index].generation;
  EXPECT_TRUE(t.current(a.index, first));
  t.remove(a.index);
  EXPECT_FALSE(t.current(a.index, first));  // a reply for the old one is recognised
  const auto again = t.add(session_at(3), "z", 0);
  EXPECT_EQ(again.index, a.index);
  EXPECT_FALSE(t.current(a.index, first));
  EXPECT_TRUE(t.current(a.index, t[a.index].generation));
  EXPECT_EQ(t[a.index].next_seq, 0u);  // nothing carried over
}

TEST(SubscriptionTable, BoundsPerSessionAndPerShardRefuseBeforeInserting) {
  subscription_table t(3, 2, 8, 1);
  EXPECT_EQ(t.add(session_at(0), "a", 0).status, proto::error_code::none);
  EXPECT_EQ(t.add(session_at(0), "b", 0).status, proto::error_code::none);
  EXPECT_EQ(t.add(session_at(0), "c", 0).status, proto::error_code::too_many_subscriptions);  // session bound
  EXPECT_EQ(t.add(session_at(1), "c", 0).status, proto::error_code::none);
  EXPECT_EQ(t.add(session_at(2), "d", 0).status, proto::error_code::too_many_subscriptions);  // shard bound
  EXPECT_TRUE(t.of_topic("d").empty());
  EXPECT_EQ(t.size(), 3u);
  EXPECT_EQ(t.counters().refused_total.load(), 2u);
}

}  // namespace
}  // namespace sluice
