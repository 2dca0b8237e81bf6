// Bounds on the data path: a client that does not read is cut off at its output bound,
// and a reactor out of receive buffers recovers without losing anything.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/net/support/test_server.hpp"

namespace sluice::test {
namespace {

std::vector<std::byte> encoded_ping(std::uint64_t nonce, const std::string& payload) {
  std::vector<std::byte> bytes(proto::encoded_size(proto::ping_frame{nonce, payload}));
  proto::encode_frame(proto::ping_frame{nonce, payload}, bytes);
  return bytes;
}

server_config tight_output_config() {
  server_config config = test_config(1);
  config.max_frame = 16 * 1024;
  config.topics.payload_max = 1024;  // an EVENT must fit in max_frame
  config.output_queue_max = 64 * 1024;
  return config;
}

TEST(Backpressure, AClientPipeliningFasterThanItReadsIsPausedNotCutAndLosesNothing) {
  running_server server(tight_output_config());
  client c = server.connect();
  ASSERT_TRUE(c.hello().ok);
  // 8 MiB of PINGs while reading nothing at first: the server must stop reading once
  // its output to us is backed up, and answer everything once we read.
  constexpr int ping_count = 1024;
  const std::string payload(8 * 1024, 'q');
  std::atomic<bool> sender_ok{true};
  std::thread sender([&] {
    for (int i = 0; i < ping_count && sender_ok; ++i) {
      if (!c.send_bytes(encoded_ping(static_cast<std::uint64_t>(i), payload))) sender_ok = false;
    }
  });
  const bool paused = eventually([&] { return server.get().reactor_at(0).counters().input_paused_total.load() > 0; });
  int answered = 0;
  while (answered < ping_count) {
    const read_result r = c.read_frame(10s);
    if (r.status != read_status::frame) break;
    const auto* pong = std::get_if<proto::pong_frame>(&r.value);
    if (pong == nullptr || pong->nonce != static_cast<std::uint64_t>(answered) || pong->payload != payload) break;
    ++answered;
  }
  sender.join();
  EXPECT_TRUE(paused);
  EXPECT_TRUE(sender_ok);
  EXPECT_EQ(answered, ping_count);
  EXPECT_EQ(server.stats().slow_consumer_total, 0u);
  EXPECT_EQ(server.stats().sessions_active, 1);
}

TEST(Backpressure, AClientThatNeverReadsIsPausedThenDroppedAsIdle) {
  server_config config = tight_output_config();
  config.sessions.idle_timeout_ns = 200 * ns_per_ms;
  config.sessions.ping_timeout_ns = 200 * ns_per_ms;
  running_server server(config);
  client c = server.connect();
  ASSERT_TRUE(c.hello().ok);
  const std::vector<std::byte> ping = encoded_ping(1, std::string(8 * 1024, 'z'));
  // Send until the kernel's buffers and the server's bounded output are full and our
  // send times out; the server has paused reading us by then.
  for (int i = 0; i < 20'000 && c.send_bytes(ping); ++i) {
  }
  EXPECT_GT(server.get().reactor_at(0).counters().input_paused_total.load(), 0u);
  // Paused, the session hears nothing from us: PING, no answer, idle timeout. The
  // ERROR cannot be delivered to a client that reads nothing, so the close deadline
  // frees the connection.
  EXPECT_TRUE(eventually([&] { return server.stats().idle_timeouts_total == 1; }, 10s));
  EXPECT_TRUE(eventually([&] { return server.stats().connections == 0; }, 15s));
  EXPECT_EQ(server.stats().sessions_detached, 1);
  // The server still serves: a new client is answered.
  client next = server.connect();
  EXPECT_TRUE(next.hello().ok);
}

TEST(Backpressure, RunningOutOfReceiveBuffersLosesNothing) {
  server_config config = test_config(1);
  // 16 buffers of 512 B hold 8 KiB. A 12 KiB PING reaches the socket in one loopback
  // segment, and the kernel fills every free buffer with it before the reactor can
  // hand any back: the receive ends with -ENOBUFS on every such frame, whatever the
  // timing, and must be re-armed with nothing lost.
  config.recv_buffer_count = 16;
  config.recv_buffer_size = 512;
  running_server server(config);
  constexpr int connection_count = 20;
  constexpr int rounds = 10;
  std::vector<client> clients;
  for (int i = 0; i < connection_count; ++i) {
    clients.push_back(server.connect());
    ASSERT_TRUE(clients.back().hello().ok);
  }
  const std::string payload(12 * 1024, 'b');
  for (int round = 0; round < rounds; ++round) {
    for (int i = 0; i < connection_count; ++i) {
      ASSERT_TRUE(clients[static_cast<std::size_t>(i)].send_frame(
          proto::ping_frame{static_cast<std::uint64_t>(round * connection_count + i), payload}));
    }
    for (int i = 0; i < connection_count; ++i) {
      const read_result r = clients[static_cast<std::size_t>(i)].read_frame(10s);
      ASSERT_EQ(r.status, read_status::frame) << "round " << round << " connection " << i;
      const auto* pong = std::get_if<proto::pong_frame>(&r.value);
      ASSERT_NE(pong, nullptr);
      EXPECT_EQ(pong->nonce, static_cast<std::uint64_t>(round * connection_count + i));
      EXPECT_EQ(pong->payload, payload);
    }
  }
  EXPECT_GT(server.get().reactor_at(0).counters().recv_nobufs_total.load(), 0u)
      << "the test did not exhaust the buffers, so it proved nothing about recovery";
}

}  // namespace
}  // namespace sluice::test
