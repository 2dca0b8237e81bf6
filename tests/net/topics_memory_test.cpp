// A subscriber that never reads cannot make the server hold more than its output bound:
// a million events go past it while another subscriber receives every one, in order.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <thread>

#include "tests/net/support/test_server.hpp"
#include "tests/net/support/topic_client.hpp"

namespace sluice::test {
namespace {

std::size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t pages = 0;
  std::size_t resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

TEST(TopicsMemory, ANeverReadingSubscriberCostsAtMostItsOutputBound) {
#ifdef SLUICE_WITH_MIMALLOC
  constexpr std::uint64_t events = 1'000'000;
#else
  constexpr std::uint64_t events = 100'000;  // sanitizers: slower, and their heap keeps freed memory
#endif
  constexpr std::uint64_t warm_up = events / 10;  // the same traffic without the slow subscriber
  constexpr std::uint64_t window = 256;
  const std::string payload = "sixty-four bytes of payload, give or take a few, for this test..";
  server_config config = test_config(2);
  config.max_frame = 64 * 1024;
  config.output_queue_max = 1 << 20;
  config.topics.payload_max = 1024;
  config.topics.publish_rate_per_s = 1e7;
  config.topics.publish_burst = 1'000'000;
  config.topics.history.events_max = 1024;
  running_server server(config);

  topic_client fast(server);
  ASSERT_EQ(fast.subscribe("warm", 1).status, proto::error_code::none);
  ASSERT_EQ(fast.subscribe("stream", 2).status, proto::error_code::none);
  topic_client slow(server);
  ASSERT_EQ(slow.subscribe("stream", 1).status, proto::error_code::none);

  // The fast subscriber checks each topic's order as it goes and keeps nothing.
  std::atomic<std::uint64_t> warm_reached{0};
  std::atomic<std::uint64_t> reached{0};
  std::atomic<bool> out_of_order{false};
  std::thread reader([&] {
    const auto deadline = std::chrono::steady_clock::now() + 120s;
    std::uint64_t expected_warm = 1;
    std::uint64_t expected = 1;
    while (expected <= events && std::chrono::steady_clock::now() < deadline) {
      const read_result r = fast.raw().read_frame(100ms);
      if (r.status == read_status::timeout) continue;
      if (r.status != read_status::frame) break;
      const auto* e = std::get_if<proto::event_frame>(&r.value);
      if (e == nullptr) continue;
      const bool warm = e->topic == "warm";
      if (e->gap || e->seq != (warm ? expected_warm : expected)) {
        out_of_order.store(true);
        break;
      }
      (warm ? warm_reached : reached).store(warm ? expected_warm++ : expected++);
    }
  });

  topic_client pub(server);
  // Publishes `count` events to `topic`, at most `window` ahead of the fast subscriber;
  // returns the seconds it took.
  const auto publish = [&](const std::string& topic, std::uint64_t count, std::atomic<std::uint64_t>& progress) {
    const auto started = std::chrono::steady_clock::now();
    for (std::uint64_t i = 1; i <= count; ++i) {
      if (i % window == 1) {
        EXPECT_TRUE(eventually([&] { return progress.load() + window >= i || out_of_order.load(); }, 30s));
        if (out_of_order.load()) break;
      }
      pub.send_publish(topic, i, payload, false);
    }
    EXPECT_TRUE(eventually([&] { return progress.load() == count || out_of_order.load(); }, 30s));
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };

  // Pools, buffers and the allocator reach their working size on traffic that goes to
  // the fast subscriber only; then the slow one's bound is measured from empty.
  const double warm_seconds = publish("warm", warm_up, warm_reached);
  const std::size_t rss_before = resident_bytes();
  const double seconds = publish("stream", events, reached);
  reader.join();
  const std::size_t rss_at_end = resident_bytes();
  EXPECT_FALSE(out_of_order.load());
  EXPECT_EQ(reached.load(), events);  // the slow one held nobody back

  const server_stats s = server.stats();
  EXPECT_EQ(s.published_total, warm_up + events);
  EXPECT_GE(s.subscribers_fell_behind_total, 1u);  // the slow one hit its bound...
  EXPECT_EQ(s.slow_consumer_total, 0u);            // ...and, under drop_oldest, stayed connected
  // ...and the fast one kept its pace: a loose bound, the machine is shared.
  const double warm_rate = static_cast<double>(warm_up) / warm_seconds;
  const double rate = static_cast<double>(events) / seconds;
  EXPECT_GT(rate, warm_rate / 4) << warm_rate << " events/s alone, " << rate << " with a stuck subscriber";
#ifdef SLUICE_WITH_MIMALLOC
  const std::size_t margin = 8u << 20;  // two histories, allocator slack
  EXPECT_LT(rss_at_end, rss_before + config.output_queue_max + margin)
      << "grew from " << rss_before << " to " << rss_at_end << " bytes";
#else
  (void)rss_before;
  (void)rss_at_end;
#endif
  std::printf("rss %zu -> %zu bytes; %.0f events/s alone, %.0f with a stuck subscriber\n", rss_before, rss_at_end,
              warm_rate, rate);
}

}  // namespace
}  // namespace sluice::test
