// Topics end to end, over real sockets: order across reactors, replay, resume, dedup,
// limits and both slow-consumer policies (docs/protocol.md, Topics).
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "engine/shard_router.hpp"
#include "tests/net/support/test_server.hpp"
#include "tests/net/support/topic_client.hpp"

namespace sluice::test {
namespace {

server_config topics_config_for_tests(std::uint32_t threads) {
  server_config c = test_config(threads);
  c.topics.publish_rate_per_s = 1e7;
  c.topics.publish_burst = 1'000'000;
  return c;
}

// Encodes `f` at the end of `out`: tests build bursts of requests sent in one write,
// so the server reads many at once.
void append_frame(std::vector<std::byte>& out, const proto::frame& f) {
  const std::size_t at = out.size();
  out.resize(at + proto::encoded_size(f));
  proto::encode_frame(f, std::span<std::byte>(out).subspan(at));
}

std::uint32_t reactor_of(const topic_client& c, std::uint32_t reactors) {
  return shard_of(c.credentials().id, reactors);
}

// Every sequence from `first` to `last` exactly once, in order, either as an event or
// inside a GAP marker's range; returns how many came as GAP-covered sequences.
std::uint64_t expect_complete(const std::vector<received_event>& events, std::uint64_t first, std::uint64_t last) {
  std::uint64_t expected = first;
  std::uint64_t in_gaps = 0;
  for (const received_event& e : events) {
    EXPECT_EQ(e.seq, expected) << "after " << expected - 1;
    if (e.seq != expected) return in_gaps;
    if (e.gap) {
      EXPECT_GE(e.last_dropped, e.seq);
      in_gaps += e.last_dropped - e.seq + 1;
      expected = e.last_dropped + 1;
    } else {
      ++expected;
    }
  }
  EXPECT_EQ(expected, last + 1);
  return in_gaps;
}

TEST(Topics, EveryReactorsSubscribersGetEveryPublishersEventsOnceAndInOrder) {
  constexpr std::uint32_t reactors = 4;
  running_server server(topics_config_for_tests(reactors));
  const std::string topic = "orders/eu";

  // Subscribers until every reactor has one (session ids are random).
  std::vector<std::unique_ptr<topic_client>> subscribers;
  std::set<std::uint32_t> covered;
  for (int i = 0; i < 64 && covered.size() < reactors; ++i) {
    auto s = std::make_unique<topic_client>(server);
    const received_ack a = s->subscribe(topic, 1);
    ASSERT_EQ(a.status, proto::error_code::none);
    EXPECT_EQ(a.seq, 1u);  // nothing published yet: delivery starts at the first event
    covered.insert(reactor_of(*s, reactors));
    subscribers.push_back(std::move(s));
  }
  ASSERT_EQ(covered.size(), reactors);

  // One publisher on each reactor (session ids are random: keep the first per reactor).
  constexpr int publishers = static_cast<int>(reactors);
  constexpr int per_publisher = 250;
  std::map<std::uint32_t, std::unique_ptr<topic_client>> by_reactor;
  for (int i = 0; i < 64 && by_reactor.size() < reactors; ++i) {
    auto c = std::make_unique<topic_client>(server);
    const std::uint32_t r = reactor_of(*c, reactors);
    if (by_reactor.count(r) == 0) by_reactor.emplace(r, std::move(c));
  }
  ASSERT_EQ(by_reactor.size(), reactors);
  std::vector<topic_client*> pubs;
  for (auto& [r, c] : by_reactor) pubs.push_back(c.get());
  std::vector<std::vector<std::uint64_t>> acked(publishers);
  std::vector<std::thread> threads;
  for (int p = 0; p < publishers; ++p) {
    threads.emplace_back([&, p] {
      topic_client& pub = *pubs[static_cast<std::size_t>(p)];
      for (int i = 0; i < per_publisher; ++i) {
        pub.send_publish(topic, static_cast<std::uint64_t>(i + 1), "p" + std::to_string(p) + ":" + std::to_string(i));
      }
      for (int i = 0; i < per_publisher; ++i) {
        const received_ack a = pub.await_ack(static_cast<std::uint64_t>(i + 1));
        EXPECT_EQ(a.status, proto::error_code::none);
        acked[p].push_back(a.seq);
      }
    });
  }
  for (std::thread& t : threads) t.join();

  // Each publisher's events got increasing sequences; together exactly 1..1000.
  std::set<std::uint64_t> all;
  for (const auto& seqs : acked) {
    EXPECT_TRUE(std::is_sorted(seqs.begin(), seqs.end()));
    all.insert(seqs.begin(), seqs.end());
  }
  constexpr std::uint64_t total = publishers * per_publisher;
  ASSERT_EQ(all.size(), total);
  EXPECT_EQ(*all.begin(), 1u);
  EXPECT_EQ(*all.rbegin(), total);

  for (auto& s : subscribers) {
    ASSERT_TRUE(s->await_events(total));
    EXPECT_EQ(expect_complete(s->events(), 1, total), 0u);  // no gaps when nobody lags
    std::map<std::string, int> next_index;                  // per publisher, its own order
    for (const received_event& e : s->events()) {
      EXPECT_EQ(e.topic, topic);
      const std::string publisher = e.payload.substr(0, e.payload.find(':'));
      EXPECT_EQ(std::stoi(e.payload.substr(e.payload.find(':') + 1)), next_index[publisher]++);
    }
  }
  EXPECT_EQ(server.stats().published_total, total);
  EXPECT_EQ(server.stats().gap_markers_total, 0u);
}

// A full way to a topic's owner refuses new requests with ACK capacity and loses nothing
// already accepted: every PUBLISH gets exactly one ACK, the accepted ones hold sequences
// 1..n, and every subscriber gets all n in order, with no gap. Inboxes of 64 messages
// and publishes pipelined by the thousand make the congestion certain.
TEST(Topics, CongestionRefusesRequestsButLosesNothingAccepted) {
  constexpr std::uint32_t reactors = 2;
  server_config config = topics_config_for_tests(reactors);
  config.inbox_capacity = 64;
  running_server server(config);
  const std::string topic = "congested";

  std::vector<std::unique_ptr<topic_client>> subscribers;
  std::set<std::uint32_t> covered;
  for (int i = 0; i < 32 && covered.size() < reactors; ++i) {
    auto s = std::make_unique<topic_client>(server);
    ASSERT_EQ(s->subscribe(topic, 1).status, proto::error_code::none);
    covered.insert(reactor_of(*s, reactors));
    subscribers.push_back(std::move(s));
  }
  ASSERT_EQ(covered.size(), reactors);

  constexpr int publishers = 2;
  constexpr std::uint64_t per_publisher = 3'000;
  std::vector<std::map<std::uint64_t, std::string>> accepted(publishers);  // seq -> payload
  std::vector<std::uint64_t> refused(publishers, 0);
  // Sessions first: with inboxes this small, a HELLO handed over during the flood may
  // itself be refused (capacity), which is right but not what this test is about.
  std::vector<std::unique_ptr<topic_client>> pubs;
  for (int p = 0; p < publishers; ++p) pubs.push_back(std::make_unique<topic_client>(server));
  std::vector<std::thread> threads;
  for (int p = 0; p < publishers; ++p) {
    threads.emplace_back([&, p] {
      topic_client& pub = *pubs[static_cast<std::size_t>(p)];
      std::vector<std::byte> burst;  // one send: the server reads thousands of requests at once
      for (std::uint64_t id = 1; id <= per_publisher; ++id) {
        const std::string payload = std::to_string(p) + ":" + std::to_string(id);
        const proto::frame f = proto::publish_frame{.ack = true, .request_id = id, .topic = topic, .payload = payload};
        append_frame(burst, f);
      }
      ASSERT_TRUE(pub.raw().send_bytes(burst));
      for (std::uint64_t id = 1; id <= per_publisher; ++id) {
        const received_ack a = pub.await_ack(id, 20s);
        ASSERT_EQ(a.request_id, id);
        if (a.status == proto::error_code::capacity) {
          ++refused[p];
          continue;
        }
        ASSERT_EQ(a.status, proto::error_code::none);
        accepted[p][a.seq] = std::to_string(p) + ":" + std::to_string(id);
      }
    });
  }
  for (std::thread& t : threads) t.join();

  std::map<std::uint64_t, std::string> all;
  std::uint64_t refused_total = 0;
  for (int p = 0; p < publishers; ++p) {
    all.insert(accepted[p].begin(), accepted[p].end());
    refused_total += refused[p];
  }
  EXPECT_GT(refused_total, 0u) << "no congestion: the test did not test it";
  ASSERT_FALSE(all.empty());
  const std::uint64_t n = all.size();
  EXPECT_EQ(all.begin()->first, 1u);
  EXPECT_EQ(all.rbegin()->first, n);  // no sequence was skipped
  EXPECT_EQ(n + refused_total, publishers * per_publisher);
  for (auto& s : subscribers) {
    ASSERT_TRUE(s->await_events_up_to(n, 20s));
    EXPECT_EQ(expect_complete(s->events(), 1, n), 0u);
    for (const received_event& e : s->events()) EXPECT_EQ(e.payload, all[e.seq]) << "seq " << e.seq;
  }
  const server_stats stats = server.stats();
  EXPECT_EQ(stats.published_total, n);
  EXPECT_EQ(stats.topic_requests_congested_total, refused_total);
  EXPECT_EQ(stats.gap_markers_total, 0u);
}

TEST(Topics, SubscribeFromSeqReplaysTheHistoryThenGoesLive) {
  running_server server(topics_config_for_tests(2));
  topic_client pub(server);
  for (std::uint64_t i = 1; i <= 10; ++i) ASSERT_EQ(pub.publish("t", i, "e" + std::to_string(i)).seq, i);

  topic_client sub(server);
  const received_ack a = sub.subscribe("t", 5, std::uint64_t{3});
  EXPECT_EQ(a.status, proto::error_code::none);
  EXPECT_EQ(a.seq, 3u);
  EXPECT_FALSE(a.truncated);
  EXPECT_EQ(a.request_type, proto::frame_type::subscribe);
  ASSERT_TRUE(sub.await_events(8));
  for (std::uint64_t i = 11; i <= 12; ++i) ASSERT_EQ(pub.publish("t", i, "e" + std::to_string(i)).seq, i);
  ASSERT_TRUE(sub.await_events(10));
  expect_complete(sub.events(), 3, 12);
  EXPECT_EQ(sub.events().front().payload, "e3");
  EXPECT_EQ(sub.events().back().payload, "e12");

  // Without FROM_SEQ a subscription starts at the next event.
  topic_client late(server);
  EXPECT_EQ(late.subscribe("t", 1).seq, 13u);
}

// A backlog larger than a page comes a page per step, all of it, in order, while live
// events published meanwhile follow without a gap or a repeat.
TEST(Topics, AReplayLongerThanAPageComesInPagesInOrder) {
  server_config config = topics_config_for_tests(2);
  config.topics.replay_page_events = 4;
  running_server server(config);
  topic_client pub(server);
  constexpr std::uint64_t backlog = 50;
  for (std::uint64_t i = 1; i <= backlog; ++i) pub.send_publish("paged", i, "e" + std::to_string(i), i == backlog);
  ASSERT_EQ(pub.await_ack(backlog).seq, backlog);

  const std::uint64_t pages_before = server.stats().replay_pages_total;
  topic_client sub(server);
  ASSERT_EQ(sub.subscribe("paged", 1, std::uint64_t{1}).seq, 1u);
  for (std::uint64_t i = backlog + 1; i <= backlog + 10; ++i)
    pub.send_publish("paged", i, "e" + std::to_string(i), false);
  ASSERT_TRUE(sub.await_events_up_to(backlog + 10));
  EXPECT_EQ(expect_complete(sub.events(), 1, backlog + 10), 0u);
  for (const received_event& e : sub.events()) EXPECT_EQ(e.payload, "e" + std::to_string(e.seq));
  EXPECT_GE(server.stats().replay_pages_total - pages_before, backlog / 4);
}

TEST(Topics, AGapLargerThanTheHistoryIsSignalledWithTheFirstHeldSequence) {
  server_config config = topics_config_for_tests(2);
  config.topics.history.events_max = 5;
  running_server server(config);
  topic_client pub(server);
  for (std::uint64_t i = 1; i <= 10; ++i) ASSERT_EQ(pub.publish("t", i, "x").seq, i);

  topic_client sub(server);
  const received_ack a = sub.subscribe("t", 1, std::uint64_t{1});
  EXPECT_TRUE(a.truncated);
  EXPECT_EQ(a.seq, 6u);  // 1..5 are gone
  ASSERT_TRUE(sub.await_events(5));
  expect_complete(sub.events(), 6, 10);
  const server_stats stats = server.stats();
  EXPECT_EQ(stats.history_evicted_count_total, 5u);
  const std::size_t frame = proto::encoded_size(proto::event_frame{.seq = 6, .topic = "t", .payload = "x"});
  EXPECT_EQ(stats.history_bytes, static_cast<std::int64_t>(5 * frame));
}

TEST(Topics, AResumedSessionGetsWhatItMissedInOrder) {
  running_server server(topics_config_for_tests(2));
  topic_client pub(server);
  session_credentials credentials;
  {
    topic_client sub(server);
    credentials = sub.credentials();
    ASSERT_EQ(sub.subscribe("news", 1).seq, 1u);
    for (std::uint64_t i = 1; i <= 3; ++i) pub.send_publish("news", i, "n" + std::to_string(i), false);
    ASSERT_TRUE(sub.await_events(3));
  }  // dropped without CLOSE
  ASSERT_TRUE(eventually([&] { return server.stats().sessions_detached == 1; }));
  for (std::uint64_t i = 4; i <= 8; ++i) ASSERT_EQ(pub.publish("news", i, "n" + std::to_string(i)).seq, i);

  // The server knows where the subscription was: resuming alone replays 4..8.
  topic_client back(server, false);
  ASSERT_TRUE(back.raw().resume(credentials).welcome.resumed);
  ASSERT_TRUE(back.await_events(5));
  expect_complete(back.events(), 4, 8);

  // A client that lost frames in flight asks for them: FROM_SEQ right behind HELLO.
  // What came before its ACK (the automatic replay, if it got there first) is the old
  // position's stream; from the ACK on, the stream starts at FROM_SEQ.
  back.raw().disconnect();
  ASSERT_TRUE(eventually([&] { return server.stats().sessions_detached == 1; }));
  topic_client again(server, false);
  ASSERT_TRUE(again.raw().send_frame(
      proto::hello_frame{.resume = true, .id = credentials.id, .resume_token = credentials.resume_token}));
  again.send_subscribe("news", 9, std::uint64_t{2});
  const received_ack a = again.await_ack(9);
  EXPECT_EQ(a.seq, 2u);
  ASSERT_TRUE(again.await_events(a.events_before + 7));
  expect_complete(again.events_after(a), 2, 8);
  EXPECT_EQ(server.stats().subscriptions, 1);  // still the one subscription, moved
}

TEST(Topics, ARepeatedRequestIdIsAckedWithTheOriginalSequenceAndNotPublishedAgain) {
  running_server server(topics_config_for_tests(2));
  topic_client sub(server);
  ASSERT_EQ(sub.subscribe("t", 1).status, proto::error_code::none);
  topic_client pub(server);
  const received_ack first = pub.publish("t", 77, "once");
  EXPECT_FALSE(first.duplicate);
  const received_ack again = pub.publish("t", 77, "once");
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.seq, first.seq);
  EXPECT_EQ(pub.publish("t", 78, "next").seq, first.seq + 1);
  ASSERT_TRUE(sub.await_events(2));
  EXPECT_FALSE(sub.await_events(3, 200ms));
  EXPECT_EQ(sub.events()[0].payload, "once");
  EXPECT_EQ(sub.events()[1].payload, "next");
  EXPECT_EQ(server.stats().publish_duplicates_total, 1u);

  // A repeat sent before the first answer is answered too, once the sequence is known.
  pub.send_publish("t", 90, "racing");
  pub.send_publish("t", 90, "racing");
  const received_ack original = pub.await_ack(90);
  const received_ack repeat = pub.await_ack(90);
  EXPECT_FALSE(original.duplicate);
  EXPECT_TRUE(repeat.duplicate);
  EXPECT_EQ(repeat.seq, original.seq);

  // Several repeats in one burst behind the original: each gets its own answer, and the
  // event is published once.
  std::vector<std::byte> burst;
  for (int i = 0; i < 4; ++i) {
    const proto::frame f = proto::publish_frame{.ack = true, .request_id = 91, .topic = "t", .payload = "burst"};
    append_frame(burst, f);
  }
  ASSERT_TRUE(pub.raw().send_bytes(burst));
  const received_ack burst_first = pub.await_ack(91);
  EXPECT_FALSE(burst_first.duplicate);
  for (int i = 0; i < 3; ++i) {
    const received_ack a = pub.await_ack(91);
    EXPECT_TRUE(a.duplicate);
    EXPECT_EQ(a.seq, burst_first.seq);
  }
  ASSERT_TRUE(sub.await_events(4));
  EXPECT_FALSE(sub.await_events(5, 200ms));
  EXPECT_EQ(sub.events()[3].payload, "burst");
  EXPECT_EQ(server.stats().publish_duplicates_total, 5u);
}

// ACKs to pipelined PUBLISHes arrive after the requests were read, so reading stops
// while room for them is owed, not only once output is queued: a publisher that does
// not read its ACKs is paused, never cut off as slow_consumer, and gets every answer.
TEST(Topics, APipeliningPublisherIsPausedForItsOwedAnswersNotDropped) {
  server_config config = topics_config_for_tests(2);
  config.max_frame = 8192;
  config.output_queue_max = 16384;
  config.topics.payload_max = 1024;
  running_server server(config);
  topic_client pub(server);
  const int rcvbuf = 256 * 1024;  // below loopback's MSS the stream would stall on zero-window probes
  ASSERT_EQ(::setsockopt(pub.raw().fd(), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf), 0);
  constexpr std::uint64_t requests = 20'000;
  std::vector<std::byte> burst;
  for (std::uint64_t id = 1; id <= requests; ++id) {
    const proto::frame f = proto::publish_frame{.ack = true, .request_id = id, .topic = "acks", .payload = "a"};
    append_frame(burst, f);
  }
  std::atomic<bool> written{false};
  std::thread writer([&] {
    EXPECT_TRUE(pub.raw().send_bytes(burst));
    written.store(true);
  });
  // Read nothing until the server has stopped reading (or the client wrote it all).
  ASSERT_TRUE(eventually([&] { return server.stats().input_paused_total > 0 || written.load(); }, 20s));
  std::vector<int> answers(requests + 1, 0);
  std::uint64_t answered = 0;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (answered < requests && !pub.closed() && std::chrono::steady_clock::now() < deadline) {
    if (!pub.read_one(200ms)) continue;
    for (const received_ack& a : pub.acks()) {
      ASSERT_TRUE(a.status == proto::error_code::none || a.status == proto::error_code::capacity);
      ASSERT_GE(a.request_id, 1u);
      ASSERT_LE(a.request_id, requests);
      ++answers[a.request_id];
      ++answered;
    }
    pub.acks().clear();
  }
  writer.join();
  EXPECT_FALSE(pub.closed());
  EXPECT_EQ(answered, requests);
  for (std::uint64_t id = 1; id <= requests; ++id) ASSERT_EQ(answers[id], 1) << "request " << id;
  const server_stats stats = server.stats();
  EXPECT_EQ(stats.slow_consumer_total, 0u);
  EXPECT_GT(stats.input_paused_total, 0u);
}

// The dedup window is bounded: past dedup_entries the oldest id is forgotten (counted),
// and a retry of it is published again, as docs/limits.md says.
TEST(Topics, ARequestIdPastTheDedupWindowIsForgottenAndCounted) {
  server_config config = topics_config_for_tests(2);
  config.topics.dedup_entries = 4;
  running_server server(config);
  topic_client pub(server);
  for (std::uint64_t id = 1; id <= 10; ++id) ASSERT_EQ(pub.publish("w", id, "x").seq, id);
  EXPECT_EQ(server.stats().dedup_evicted_full_total, 6u);
  const received_ack again = pub.publish("w", 1, "x");
  EXPECT_FALSE(again.duplicate);
  EXPECT_EQ(again.seq, 11u);
  const received_ack recent = pub.publish("w", 10, "x");
  EXPECT_TRUE(recent.duplicate);
  EXPECT_EQ(recent.seq, 10u);
  EXPECT_EQ(server.stats().dedup_evicted_full_total, 7u);
}

TEST(Topics, EveryLimitIsAnAckStatusAndTheConnectionStaysOpen) {
  server_config config = topics_config_for_tests(1);  // one owner, so max_topics counts every topic
  config.topics.session_subscriptions_max = 2;
  config.topics.payload_max = 16;
  config.topics.topics_max = 3;
  config.topics.publish_rate_per_s = 0.001;
  config.topics.publish_burst = 3;
  running_server server(config);
  topic_client c(server);
  using proto::error_code;
  EXPECT_EQ(c.subscribe("", 1).status, error_code::bad_topic);
  EXPECT_EQ(c.subscribe("has space", 2).status, error_code::bad_topic);
  EXPECT_EQ(c.subscribe(std::string(201, 'a'), 3).status, error_code::bad_topic);
  EXPECT_EQ(c.subscribe(std::string(200, 'a'), 4).status, error_code::none);
  EXPECT_EQ(c.subscribe("b", 0).status, error_code::bad_request_id);
  EXPECT_EQ(c.subscribe("b", 5).status, error_code::none);
  EXPECT_EQ(c.subscribe("c", 6).status, error_code::too_many_subscriptions);
  EXPECT_EQ(c.unsubscribe("c", 7).status, error_code::not_subscribed);
  EXPECT_EQ(c.unsubscribe("b", 8).status, error_code::none);
  EXPECT_EQ(c.publish("b", 9, std::string(17, 'x')).status, error_code::payload_too_large);
  EXPECT_EQ(c.publish("b", 10, std::string(16, 'x')).status, error_code::none);
  EXPECT_EQ(c.publish("c", 11, "x").status, error_code::none);                  // the third topic
  EXPECT_EQ(c.publish("d", 12, "x").status, error_code::too_many_topics);       // a fourth
  EXPECT_EQ(c.publish("b", 13, "x").status, error_code::publish_rate_limited);  // burst of 3 spent
  EXPECT_EQ(c.subscribe("e", 14).status, error_code::too_many_topics);
  // A second SUBSCRIBE racing the first for a topic the owner may still refuse: each
  // gets an answer, the second one request_pending.
  std::vector<std::byte> both;  // one write: the second is read before the first is answered
  append_frame(both, proto::subscribe_frame{.request_id = 15, .topic = "f"});
  append_frame(both, proto::subscribe_frame{.request_id = 16, .topic = "f"});
  ASSERT_TRUE(c.raw().send_bytes(both));
  EXPECT_EQ(c.await_ack(15).status, error_code::too_many_topics);
  EXPECT_EQ(c.await_ack(16).status, error_code::request_pending);

  // Still served.
  ASSERT_TRUE(c.raw().send_frame(proto::ping_frame{5, "still here"}));
  const read_result r = c.raw().read_frame(2s);
  ASSERT_EQ(r.status, read_status::frame);
  EXPECT_TRUE(std::holds_alternative<proto::pong_frame>(r.value));
  const server_stats s = server.stats();
  EXPECT_EQ(s.refusals_sent_total[static_cast<std::size_t>(error_code::bad_topic)], 3u);
  EXPECT_EQ(s.refusals_sent_total[static_cast<std::size_t>(error_code::too_many_topics)], 3u);
  EXPECT_EQ(s.refusals_sent_total[static_cast<std::size_t>(error_code::request_pending)], 1u);
  EXPECT_EQ(s.topics, 3);
}

// A subscriber that does not read while a fast one does: events for the slow one are
// neither queued past the output bound nor lost silently.
struct slow_consumer_run {
  static constexpr std::uint64_t events = 6000;
  static constexpr std::size_t payload = 2000;  // 12 MB in all: more than loopback's socket buffers hold
  static constexpr std::uint64_t window = 16;   // events the fast subscriber may be behind the publisher

  explicit slow_consumer_run(slow_consumer_policy policy) : server(config(policy)) {}

  static server_config config(slow_consumer_policy policy) {
    server_config c = topics_config_for_tests(2);
    c.max_frame = 8192;
    c.output_queue_max = 64 * 1024;
    c.topics.payload_max = 2048;
    c.topics.history.events_max = 64;
    c.topics.slow_consumer = policy;
    return c;
  }

  // Publishes everything, paced by `fast`, which reads; `slow` is subscribed and does not.
  void run(topic_client& slow, topic_client& fast) {
    // A receive buffer below loopback's MSS would stall the stream on zero-window probes.
    const int rcvbuf = 256 * 1024;
    ASSERT_EQ(::setsockopt(slow.raw().fd(), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf), 0);
    ASSERT_EQ(slow.subscribe("firehose", 1).status, proto::error_code::none);
    ASSERT_EQ(fast.subscribe("firehose", 1).status, proto::error_code::none);
    std::atomic<std::uint64_t> fast_reached{0};
    std::atomic<bool> reader_done{false};
    std::thread reader([&] {
      const auto deadline = std::chrono::steady_clock::now() + 30s;
      while (fast_reached.load() < events && std::chrono::steady_clock::now() < deadline) {
        if (!fast.read_one(100ms) && !fast.raw().connected()) break;
        if (!fast.events().empty()) {
          const received_event& e = fast.events().back();
          fast_reached.store(e.gap ? e.last_dropped : e.seq);
        }
      }
      reader_done.store(true);
    });
    topic_client pub(server);
    const std::string body(payload, 'z');
    for (std::uint64_t i = 1; i <= events; ++i) {
      if (i % window == 1) {
        EXPECT_TRUE(eventually([&] { return fast_reached.load() + 1 >= i || reader_done.load(); }, 10s));
      }
      pub.send_publish("firehose", i, body, i == events);
    }
    EXPECT_EQ(pub.await_ack(events, 30s).seq, events);
    reader.join();
    EXPECT_EQ(fast_reached.load(), events);
  }

  running_server server;
};

TEST(Topics, DropOldestServesASlowSubscriberFromHistoryWithAGapMarker) {
  slow_consumer_run run(slow_consumer_policy::drop_oldest);
  topic_client slow(run.server);
  topic_client fast(run.server);
  run.run(slow, fast);
  expect_complete(fast.events(), 1, slow_consumer_run::events);
  ASSERT_TRUE(eventually([&] { return run.server.stats().subscribers_fell_behind_total > 0; }));
  // Its output is full of events, yet a control frame still gets through.
  ASSERT_TRUE(slow.raw().send_frame(proto::ping_frame{.nonce = 4242}));

  // Now it reads: what fitted, then a GAP for what the history lost, then the rest.
  ASSERT_TRUE(slow.await_events_up_to(slow_consumer_run::events, 30s));
  EXPECT_EQ(slow.pongs(), std::vector<std::uint64_t>{4242});
  const std::uint64_t in_gaps = expect_complete(slow.events(), 1, slow_consumer_run::events);
  EXPECT_GT(in_gaps, 0u);
  EXPECT_GT(run.server.stats().gap_markers_total, 0u);
  EXPECT_EQ(run.server.stats().slow_consumer_total, 0u);  // nobody was disconnected
  // The bound held: at most the output queue's worth (plus what the kernel buffers) was
  // sent before the GAP.
  EXPECT_LT(slow.events().size(), slow_consumer_run::events);
}

TEST(Topics, DisconnectPolicySendsGoawayAndTheSessionResumesFromHistory) {
  slow_consumer_run run(slow_consumer_policy::disconnect);
  topic_client slow(run.server);
  topic_client fast(run.server);
  run.run(slow, fast);
  expect_complete(fast.events(), 1, slow_consumer_run::events);

  // Reading now drains what was sent before the cut, then GOAWAY, then EOF.
  while (!slow.closed()) (void)slow.read_one(1s);
  EXPECT_EQ(slow.goaway(), proto::error_code::slow_consumer);
  EXPECT_GE(run.server.stats().slow_consumer_total, 1u);
  ASSERT_FALSE(slow.events().empty());
  const std::uint64_t last_seen = slow.events().back().seq;
  expect_complete(slow.events(), 1, last_seen);

  topic_client back(run.server, false);
  // FROM_SEQ behind the HELLO: the stream after its ACK starts where the client asks.
  ASSERT_TRUE(back.raw().send_frame(proto::hello_frame{
      .resume = true, .id = slow.credentials().id, .resume_token = slow.credentials().resume_token}));
  const received_ack a = back.subscribe("firehose", 2, last_seen + 1);
  EXPECT_TRUE(a.truncated);  // only the last 64 are held
  EXPECT_EQ(a.seq, slow_consumer_run::events - 63);
  ASSERT_TRUE(back.await_events(a.events_before + 64));
  expect_complete(back.events_after(a), slow_consumer_run::events - 63, slow_consumer_run::events);
}

// Events queue behind each other and leave in one sendmsg per connection per loop
// iteration: a burst of 1,000 events costs a handful of sends, not one per event.
TEST(Topics, ABurstOfEventsLeavesInFewSendsNotOnePerEvent) {
  running_server server(topics_config_for_tests(2));
  topic_client sub(server);
  ASSERT_EQ(sub.subscribe("burst", 1).status, proto::error_code::none);
  topic_client pub(server);
  constexpr std::uint64_t events = 1000;  // within the test's inbox_capacity: none refused
  std::vector<std::byte> burst;
  for (std::uint64_t id = 1; id <= events; ++id) {
    const proto::frame f =
        proto::publish_frame{.ack = id == events, .request_id = id, .topic = "burst", .payload = "b"};
    append_frame(burst, f);
  }
  const std::uint64_t sends_before = server.stats().sends_total;
  ASSERT_TRUE(pub.raw().send_bytes(burst));
  ASSERT_EQ(pub.await_ack(events).seq, events);
  ASSERT_TRUE(sub.await_events(events));
  expect_complete(sub.events(), 1, events);
  const std::uint64_t sends = server.stats().sends_total - sends_before;
  EXPECT_LT(sends, events / 4) << "sends for " << events << " events and one ACK";
}

TEST(Topics, FanOutToAThousandSubscribersOnEveryReactor) {
  constexpr std::uint32_t reactors = 4;
  constexpr int subscribers = 1000;
  rlimit limit{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &limit), 0);
  const rlim_t wanted = 2 * subscribers + 256;
  ASSERT_GE(limit.rlim_max, wanted) << "the hard RLIMIT_NOFILE is too low for this test";
  if (limit.rlim_cur < wanted) {
    limit.rlim_cur = wanted;
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &limit), 0);
  }
  server_config config = topics_config_for_tests(reactors);
  config.max_connections = 2 * subscribers;
  config.sources.connections_per_source_max = 2 * subscribers;
  config.sources.connect_burst = 2 * subscribers;
  running_server server(config);

  std::vector<std::unique_ptr<topic_client>> subs;
  std::set<std::uint32_t> covered;
  for (int i = 0; i < subscribers; ++i) {
    auto s = std::make_unique<topic_client>(server);
    s->send_subscribe("wide", 1);
    covered.insert(reactor_of(*s, reactors));
    subs.push_back(std::move(s));
  }
  for (auto& s : subs) ASSERT_EQ(s->await_ack(1).status, proto::error_code::none);
  EXPECT_EQ(covered.size(), reactors);
  EXPECT_EQ(server.stats().subscriptions, subscribers);

  topic_client pub(server);
  constexpr std::uint64_t events = 20;
  for (std::uint64_t i = 1; i <= events; ++i) pub.send_publish("wide", i, "fan-out", i == events);
  EXPECT_EQ(pub.await_ack(events).seq, events);
  for (auto& s : subs) {
    ASSERT_TRUE(s->await_events(events));
    expect_complete(s->events(), 1, events);
  }
  EXPECT_EQ(server.stats().events_delivered_total, subscribers * events);
}

}  // namespace
}  // namespace sluice::test
