// The owner side of topics: sequences stamped into the shared frame, the shards with
// subscribers, positions for new subscriptions, pages, and the topic bound.
#include "engine/topics/topic_owner.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "engine/protocol/encoder.hpp"
#include "engine/protocol/event_view.hpp"

namespace sluice {
namespace {

event_ref event_for(std::string_view topic, std::string_view payload = "x") {
  const proto::frame f = proto::event_frame{.seq = 0, .topic = topic, .payload = payload};
  event_ref e = event_ref::create(0, 0, static_cast<std::uint32_t>(proto::encoded_size(f)));
  proto::encode_frame(f, e.writable_frame());
  return e;
}

std::vector<std::uint64_t> page_of(const topic_owner& owner, std::string_view topic, std::uint64_t from,
                                   std::uint32_t max) {
  std::vector<std::uint64_t> seqs;
  (void)owner.read(topic, from, max, [&](const event_ref& e) { seqs.push_back(e->seq()); });
  return seqs;
}

TEST(TopicOwner, PublishStampsTheSequenceIntoTheSharedFrame) {
  topic_owner owner(topics_config{}, 1);
  for (std::uint64_t expected = 1; expected <= 3; ++expected) {
    const topic_owner::publish_outcome out = owner.publish(event_for("a"), 5 * ns_per_s);
    ASSERT_EQ(out.status, proto::error_code::none);
    EXPECT_EQ(out.seq, expected);
    EXPECT_EQ(out.event->seq(), expected);
    EXPECT_EQ(proto::event_seq_of(out.event->frame()), expected);  // what subscribers receive
    EXPECT_EQ(out.event->published_ns(), 5 * ns_per_s);
    EXPECT_EQ(out.event->refs(), 2u);  // the history's and ours: one encoding, shared
  }
  EXPECT_EQ(owner.publish(event_for("b"), 0).seq, 1u);  // sequences are per topic
  EXPECT_EQ(owner.size(), 2u);
}

TEST(TopicOwner, OnlyShardsWithSubscribersGetTheEvent) {
  topic_owner owner(topics_config{}, 1);
  EXPECT_TRUE(owner.publish(event_for("t"), 0).shards.empty());
  (void)owner.subscribe("t", 3, true, 0);
  (void)owner.subscribe("t", 3, true, 0);
  (void)owner.subscribe("t", 1, true, 0);
  (void)owner.subscribe("t", 1, false, 5);  // a moved position is not one more subscriber
  auto shards_of = [&] {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> v;
    for (const shard_interest& s : owner.publish(event_for("t"), 0).shards) v.emplace_back(s.shard, s.subscriptions);
    return v;
  };
  EXPECT_EQ(shards_of(), (std::vector<std::pair<std::uint32_t, std::uint32_t>>{{3, 2}, {1, 1}}));
  owner.unsubscribe("t", 3);
  owner.unsubscribe("t", 1);
  owner.unsubscribe("t", 7);        // never counted: ignored
  owner.unsubscribe("unknown", 1);  // likewise
  EXPECT_EQ(shards_of(), (std::vector<std::pair<std::uint32_t, std::uint32_t>>{{3, 1}}));
}

TEST(TopicOwner, SubscribePositionsAtTheNextEventOrInTheHistory) {
  topics_config config;
  config.history.events_max = 4;
  topic_owner owner(config, 1);
  topic_owner::subscribe_outcome s = owner.subscribe("t", 0, true, 0);
  EXPECT_EQ(s.start, 1u);
  EXPECT_EQ(s.next_seq, 1u);
  for (int i = 0; i < 10; ++i) (void)owner.publish(event_for("t"), 0);
  s = owner.subscribe("t", 0, false, 0);
  EXPECT_EQ(s.start, 11u);
  EXPECT_FALSE(s.truncated);
  s = owner.subscribe("t", 0, false, 8);
  EXPECT_EQ(s.start, 8u);
  EXPECT_FALSE(s.truncated);
  s = owner.subscribe("t", 0, false, 2);  // 1..6 are gone
  EXPECT_EQ(s.start, 7u);
  EXPECT_TRUE(s.truncated);
  EXPECT_EQ(s.next_seq, 11u);
}

TEST(TopicOwner, PagesAreBoundedAndSayWhatTheHistoryHolds) {
  topics_config config;
  config.history.events_max = 6;
  topic_owner owner(config, 1);
  for (int i = 0; i < 10; ++i) (void)owner.publish(event_for("t"), 0);
  EXPECT_EQ(page_of(owner, "t", 1, 3), (std::vector<std::uint64_t>{5, 6, 7}));
  EXPECT_EQ(page_of(owner, "t", 8, 100), (std::vector<std::uint64_t>{8, 9, 10}));
  const topic_owner::page p = owner.read("t", 11, 10, [](const event_ref&) { ADD_FAILURE(); });
  EXPECT_EQ(p.first_held, 5u);
  EXPECT_EQ(p.next_seq, 11u);
  const topic_owner::page unknown = owner.read("nope", 1, 10, [](const event_ref&) { ADD_FAILURE(); });
  EXPECT_EQ(unknown.first_held, 1u);
  EXPECT_EQ(unknown.next_seq, 1u);
}

TEST(TopicOwner, NewTopicsPastTheBoundAreRefusedAndCounted) {
  topics_config config;
  config.topics_max = 2;
  topic_owner owner(config, 1);
  EXPECT_EQ(owner.publish(event_for("a"), 0).status, proto::error_code::none);
  EXPECT_EQ(owner.subscribe("b", 0, true, 0).status, proto::error_code::none);
  EXPECT_EQ(owner.publish(event_for("c"), 0).status, proto::error_code::too_many_topics);
  EXPECT_EQ(owner.subscribe("d", 0, true, 0).status, proto::error_code::too_many_topics);
  EXPECT_EQ(owner.publish(event_for("a"), 0).seq, 2u);  // existing topics go on
  EXPECT_EQ(owner.size(), 2u);
  EXPECT_EQ(owner.counters().topics.load(), 2);
  EXPECT_EQ(owner.counters().refused_topics_total.load(), 2u);
}

TEST(TopicOwner, ExpiryAppliesTheAgeBoundRoundRobinWithinABudget) {
  topics_config config;
  config.history.age_max = ns_per_s;
  topic_owner owner(config, 1);
  for (const char* topic : {"a", "b", "c"}) {
    (void)owner.subscribe(topic, 0, true, 0);  // subscribed: aged, never forgotten
    for (int i = 0; i < 3; ++i) (void)owner.publish(event_for(topic), 0);
  }
  owner.expire(10 * ns_per_s, 2);                    // a and b
  EXPECT_EQ(page_of(owner, "a", 1, 10).size(), 1u);  // the newest is always kept
  EXPECT_EQ(page_of(owner, "b", 1, 10).size(), 1u);
  EXPECT_EQ(page_of(owner, "c", 1, 10).size(), 3u);
  owner.expire(10 * ns_per_s, 2);  // c, then a again
  EXPECT_EQ(page_of(owner, "c", 1, 10).size(), 1u);
}

// A topic nobody subscribes to is forgotten once nothing in it is replayable, which
// frees its place under max_topics; a reader from the old numbering is told it was
// truncated.
TEST(TopicOwner, IdleTopicsWithoutSubscribersAreForgottenAndRestart) {
  topics_config config;
  config.topics_max = 2;
  config.history.age_max = ns_per_s;
  topic_owner owner(config, 1);
  for (int i = 0; i < 5; ++i) (void)owner.publish(event_for("old"), 0);
  (void)owner.subscribe("kept", 0, true, 0);
  EXPECT_EQ(owner.publish(event_for("third"), 0).status, proto::error_code::too_many_topics);

  owner.expire(ns_per_s, 64);  // the newest of "old" is exactly age_max old: kept
  EXPECT_EQ(owner.size(), 2u);
  owner.expire(ns_per_s + 1, 64);
  EXPECT_EQ(owner.size(), 1u);  // "kept" has a subscriber (and no events at all)
  EXPECT_EQ(owner.counters().forgotten_topics_total.load(), 1u);
  EXPECT_EQ(owner.counters().topics.load(), 1);
  EXPECT_EQ(owner.counters().history_bytes.load(), 0);

  EXPECT_EQ(owner.publish(event_for("third"), 2 * ns_per_s).seq, 6u);
  EXPECT_EQ(owner.publish(event_for("old"), 2 * ns_per_s).status, proto::error_code::too_many_topics);
  owner.unsubscribe("kept", 0);
  owner.expire(2 * ns_per_s, 64);  // "kept": no subscriber, nothing held
  EXPECT_EQ(owner.size(), 1u);
  // A new topic of the same name numbers on past everything the forgotten one gave:
  // an old position is below its history, so it is truncated, not served mid-stream.
  const topic_owner::publish_outcome again = owner.publish(event_for("old"), 2 * ns_per_s);
  EXPECT_EQ(again.status, proto::error_code::none);
  EXPECT_EQ(again.seq, 6u);
  for (int i = 0; i < 4; ++i) (void)owner.publish(event_for("old"), 2 * ns_per_s);  // 6..10
  const topic_owner::subscribe_outcome resumed = owner.subscribe("old", 0, true, 3);
  EXPECT_TRUE(resumed.truncated);
  EXPECT_EQ(resumed.start, 6u);
  EXPECT_EQ(page_of(owner, "old", 3, 100), (std::vector<std::uint64_t>{6, 7, 8, 9, 10}));
  EXPECT_EQ(owner.publish(event_for("third"), 2 * ns_per_s).seq, 7u);  // created after the forgetting: from 6
}

// The owner keeps the topic it found last at hand (a publisher's window is a run of one
// topic); a topic forgotten right after its publish is not found that way but made anew.
TEST(TopicOwner, ATopicForgottenRightAfterItsPublishIsMadeAnew) {
  topics_config config;
  config.history.age_max = ns_per_s;
  topic_owner owner(config, 1);
  EXPECT_EQ(owner.publish(event_for("a"), 0).seq, 1u);
  owner.expire(ns_per_s + 1, 64);
  EXPECT_EQ(owner.size(), 0u);
  const topic_owner::publish_outcome again = owner.publish(event_for("a"), 2 * ns_per_s);
  EXPECT_EQ(again.status, proto::error_code::none);
  EXPECT_EQ(again.seq, 2u);
  EXPECT_EQ(owner.size(), 1u);
  EXPECT_EQ(owner.counters().topics.load(), 1);
  EXPECT_EQ(page_of(owner, "a", 1, 10), (std::vector<std::uint64_t>{2}));
}

// All histories of a shard together stay within history_shard_bytes_max (besides each
// topic's newest event); the least recently published topic pays first.
TEST(TopicOwner, TheShardBudgetTakesFromTheLeastRecentlyPublishedTopicFirst) {
  const std::string payload(1000, 'p');
  const std::uint64_t frame = event_for("a", payload)->frame().size();
  topics_config config;
  config.history_shard_bytes_max = 10 * frame;
  topic_owner owner(config, 1);
  for (int i = 0; i < 6; ++i) (void)owner.publish(event_for("a", payload), 0);
  for (int i = 0; i < 4; ++i) (void)owner.publish(event_for("b", payload), 0);
  EXPECT_EQ(owner.counters().history_bytes.load(), static_cast<std::int64_t>(10 * frame));
  EXPECT_EQ(owner.counters().history.evicted_budget_total.load(), 0u);

  for (int i = 0; i < 3; ++i) (void)owner.publish(event_for("b", payload), 0);  // a is the older
  EXPECT_EQ(page_of(owner, "a", 1, 100), (std::vector<std::uint64_t>{4, 5, 6}));
  EXPECT_EQ(page_of(owner, "b", 1, 100).size(), 7u);
  (void)owner.publish(event_for("a", payload), 0);  // now b is the older
  EXPECT_EQ(page_of(owner, "b", 1, 100).front(), 2u);
  EXPECT_EQ(owner.counters().history_bytes.load(), static_cast<std::int64_t>(10 * frame));
  EXPECT_EQ(owner.counters().history.evicted_budget_total.load(), 4u);

  for (int i = 0; i < 20; ++i) (void)owner.publish(event_for("c", payload), 0);  // c takes all it can
  EXPECT_EQ(page_of(owner, "a", 1, 100).size(), 1u);                             // newest kept
  EXPECT_EQ(page_of(owner, "b", 1, 100).size(), 1u);
  EXPECT_EQ(page_of(owner, "c", 1, 100).size(), 8u);
  EXPECT_EQ(owner.counters().history_bytes.load(), static_cast<std::int64_t>(10 * frame));
}

}  // namespace
}  // namespace sluice
