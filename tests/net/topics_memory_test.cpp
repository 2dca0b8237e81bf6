// A subscriber that never reads cannot make the server hold more than its output bound:
// a million events go past it while another subscriber receives every one, in order.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "tests/net/support/topic_client.hpp"
#include "tests/net/support/test_server.hpp"

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
  constexpr std::uint64_t warm_up = 20'000;  // allocator pools and buffers reach their working size
  constexpr std::uint64_t window = 256;
  server_config config = test_config(2);
  config.max_frame = 64 * 1024;
  config.output_queue_max = 1 << 20;
  config.topics.payload_max = 1024;
  config.topics.publish_rate_per_s = 1e7;
  config.topics.publish_burst = 1'000'000;
  config.topics.history.events_max = 1024;
  running_server server(config);

  topic_client slow(server);
  ASSERT_EQ(slow.subscribe("stream", 1).status, proto::error_code::none);
  topic_client fast(server);
  ASSERT_EQ(fast.subscribe("stream", 1).status, proto::error_code::none);

  // The fast subscriber checks order as it goes and keeps nothing.
  std::atomic<std::uint64_t> reached{0};
  std::atomic<bool> out_of_order{false};
  std::thread reader([&] {
    const auto deadline = std::chrono::steady_clock::now() + 120s;
    std::uint64_t expected = 1;
    while (expected <= events && std::chrono::steady_clock::now() < deadline) {
      const read_result r = fast.raw().read_frame(100ms);
      if (r.status == read_status::timeout) continue;
      if (r.status != read_status::frame) break;
      const auto* e = std::get_if<proto::event_frame>(&r.value);
      if (e == nullptr) continue;
      if (e->gap || e->seq != expected) {
        out_of_order.store(true);
        break;
      }
      reached.store(expected++);
    }
  });

  topic_client pub(server);
  std::size_t rss_after_warm_up = 0;
  for (std::uint64_t i = 1; i <= events; ++i) {
    if (i % window == 1) {
      // Publisher window: at most `window` events ahead of the fast subscriber.
      ASSERT_TRUE(eventually([&] { return reached.load() + window >= i || out_of_order.load(); }, 30s));
      ASSERT_FALSE(out_of_order.load());
    }
    if (i == warm_up) rss_after_warm_up = resident_bytes();
    pub.send_publish("stream", i, "sixty-four bytes of payload, give or take a few, for this test..", false);
  }
  reader.join();
  const std::size_t rss_at_end = resident_bytes();
  EXPECT_FALSE(out_of_order.load());
  EXPECT_EQ(reached.load(), events);  // the slow one held nobody back

  const server_stats s = server.stats();
  EXPECT_EQ(s.published_total, events);
  EXPECT_GE(s.subscribers_fell_behind_total, 1u);  // the slow one hit its bound...
  EXPECT_EQ(s.slow_consumer_total, 0u);           // ...and, under drop_oldest, stayed connected
#ifdef SLUICE_WITH_MIMALLOC
  const std::size_t margin = 16u << 20;
  EXPECT_LT(rss_at_end, rss_after_warm_up + config.output_queue_max + margin)
      << "grew from " << rss_after_warm_up << " to " << rss_at_end << " bytes";
#else
  (void)rss_after_warm_up;
  (void)rss_at_end;
#endif
}

}  // namespace
}  // namespace sluice::test
