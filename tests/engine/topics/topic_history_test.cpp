// The bounded history of a topic: sequences, the three bounds, locating a reader and
// reading in pages.
#include "engine/topics/topic_history.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace sluice {
namespace {

event_ref event_of(const topic_history& h, std::uint32_t size, time_ns at = 0) {
  return event_ref::create(h.next_seq(), at, size);
}

std::vector<std::uint64_t> read_all(const topic_history& h, std::uint64_t from, std::uint32_t max) {
  std::vector<std::uint64_t> seqs;
  h.read(from, max, [&](const event_ref& e) { seqs.push_back(e->seq()); });
  return seqs;
}

TEST(TopicHistory, SequencesStartAtOneAndAreConsecutive) {
  topic_history h({.events_max = 8, .bytes_max = 1 << 20, .age_max = ns_per_s});
  EXPECT_EQ(h.next_seq(), 1u);
  EXPECT_EQ(h.first_seq(), 1u);
  for (int i = 0; i < 5; ++i) h.append(event_of(h, 10));
  EXPECT_EQ(h.next_seq(), 6u);
  EXPECT_EQ(h.first_seq(), 1u);
  EXPECT_EQ(h.size(), 5u);
  EXPECT_EQ(h.bytes(), 50u);
  EXPECT_EQ(read_all(h, 1, 100), (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
}

TEST(TopicHistory, CountBoundDropsTheOldest) {
  topic_history h({.events_max = 4, .bytes_max = 1 << 20, .age_max = ns_per_s});
  for (int i = 0; i < 10; ++i) h.append(event_of(h, 1));
  EXPECT_EQ(h.size(), 4u);
  EXPECT_EQ(h.first_seq(), 7u);
  EXPECT_EQ(read_all(h, 1, 100), (std::vector<std::uint64_t>{7, 8, 9, 10}));
  EXPECT_EQ(h.counters().evicted_count_total.load(), 6u);
}

TEST(TopicHistory, ByteBoundDropsTheOldestButKeepsTheNewest) {
  topic_history h({.events_max = 100, .bytes_max = 100, .age_max = ns_per_s});
  for (int i = 0; i < 4; ++i) h.append(event_of(h, 30));  // 120 bytes wanted: the first goes
  EXPECT_EQ(h.first_seq(), 2u);
  EXPECT_EQ(h.bytes(), 90u);
  h.append(event_of(h, 500));  // alone over the bound: everything older goes, it stays
  EXPECT_EQ(h.size(), 1u);
  EXPECT_EQ(h.first_seq(), 5u);
  EXPECT_EQ(h.bytes(), 500u);
  EXPECT_EQ(h.counters().evicted_bytes_total.load(), 4u);
}

TEST(TopicHistory, AgeBoundAppliesOnExpireAndKeepsTheNewest) {
  topic_history h({.events_max = 100, .bytes_max = 1 << 20, .age_max = 100});
  h.append(event_of(h, 1, 1000));
  h.append(event_of(h, 1, 1050));
  h.append(event_of(h, 1, 1200));
  h.expire(1100);  // nothing older than 100 yet
  EXPECT_EQ(h.size(), 3u);
  h.expire(1101);  // seq 1 is 101 old
  EXPECT_EQ(h.first_seq(), 2u);
  h.expire(100'000);  // all are old; the newest stays
  EXPECT_EQ(h.size(), 1u);
  EXPECT_EQ(h.first_seq(), 3u);
  EXPECT_EQ(h.counters().evicted_age_total.load(), 2u);
}

TEST(TopicHistory, LocateSaysWhereDeliveryStartsAndWhetherEventsWereLost) {
  topic_history h({.events_max = 4, .bytes_max = 1 << 20, .age_max = ns_per_s});
  for (int i = 0; i < 10; ++i) h.append(event_of(h, 1));  // holds 7..10, next 11
  EXPECT_EQ(h.locate(8).start, 8u);
  EXPECT_FALSE(h.locate(8).truncated);
  EXPECT_EQ(h.locate(7).start, 7u);
  EXPECT_FALSE(h.locate(7).truncated);
  EXPECT_EQ(h.locate(6).start, 7u);  // 6 is gone
  EXPECT_TRUE(h.locate(6).truncated);
  EXPECT_EQ(h.locate(11).start, 11u);  // caught up: the next new event
  EXPECT_FALSE(h.locate(11).truncated);
  EXPECT_EQ(h.locate(500).start, 11u);
  EXPECT_TRUE(h.locate(500).truncated);  // a sequence this history never gave: said, not hidden
}

TEST(TopicHistory, EvictOldestKeepsTheNewestAndIdleMeansNothingReplayable) {
  topic_history h({.events_max = 8, .bytes_max = 1 << 20, .age_max = 100});
  EXPECT_TRUE(h.idle(0));  // empty
  EXPECT_FALSE(h.evict_oldest());
  for (time_ns t = 10; t <= 30; t += 10) h.append(event_of(h, 16, t));
  EXPECT_TRUE(h.evict_oldest());
  EXPECT_TRUE(h.evict_oldest());
  EXPECT_FALSE(h.evict_oldest());  // only the newest is left
  EXPECT_EQ(h.size(), 1u);
  EXPECT_EQ(h.first_seq(), 3u);
  EXPECT_EQ(h.counters().evicted_budget_total.load(), 2u);
  EXPECT_FALSE(h.idle(130));  // the newest (at 30) is exactly age_max old: still replayable
  EXPECT_TRUE(h.idle(131));
}

TEST(TopicHistory, ReadPagesThroughABacklog) {
  topic_history h({.events_max = 64, .bytes_max = 1 << 20, .age_max = ns_per_s});
  for (int i = 0; i < 50; ++i) h.append(event_of(h, 1));
  std::vector<std::uint64_t> all;
  std::uint64_t next = 1;
  int pages = 0;
  while (next < h.next_seq()) {
    next = h.read(next, 16, [&](const event_ref& e) { all.push_back(e->seq()); });
    ++pages;
  }
  EXPECT_EQ(pages, 4);  // 16 + 16 + 16 + 2
  ASSERT_EQ(all.size(), 50u);
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i], i + 1);
  EXPECT_EQ(h.read(51, 16, [](const event_ref&) { FAIL(); }), 51u);
}

TEST(TopicHistory, TheRingGrowsWithTheTopicAndKeepsOrderAcrossWraps) {
  topic_history h({.events_max = 100, .bytes_max = 1 << 20, .age_max = 10});
  // Age out all but seq 12 so the 16-slot ring's content starts mid-ring, then grow it
  // (16 -> 32 -> 64 -> 100) with that wrap in place, and wrap again at the bound.
  for (int i = 0; i < 12; ++i) h.append(event_of(h, 1, 0));
  h.expire(1000);
  EXPECT_EQ(h.first_seq(), 12u);
  for (int i = 0; i < 250; ++i) h.append(event_of(h, 1, 1000));
  EXPECT_EQ(h.size(), 100u);
  EXPECT_EQ(h.first_seq(), 163u);
  std::vector<std::uint64_t> seqs = read_all(h, 1, 1000);
  ASSERT_EQ(seqs.size(), 100u);
  for (std::size_t i = 0; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], 163 + i);
}

TEST(TopicHistory, EvictedEventsAreReleased) {
  topic_history h({.events_max = 2, .bytes_max = 1 << 20, .age_max = ns_per_s});
  event_ref first = event_of(h, 8);
  event_ref watch = first;
  h.append(std::move(first));
  EXPECT_EQ(watch->refs(), 2u);
  h.append(event_of(h, 8));
  h.append(event_of(h, 8));  // evicts seq 1
  EXPECT_EQ(watch->refs(), 1u);
}

}  // namespace
}  // namespace sluice
