// Bounds on the data path: a client that does not read is cut off at its output bound,
// and a reactor out of receive buffers recovers without losing anything.
#include <gtest/gtest.h>

#include <thread>

#include "tests/net/support/test_server.hpp"

namespace sluice::test {
namespace {

TEST(Backpressure, AClientThatNeverReadsIsCutOffAtItsOutputBound) {
  server_config config = test_config(1);
  config.max_frame = 16 * 1024;
  config.output_queue_max = 64 * 1024;
  running_server server(config);
  client bystander = server.connect();
  ASSERT_TRUE(bystander.hello().ok);
  client c = server.connect();
  ASSERT_TRUE(c.hello().ok);
  // PINGs with 8 KiB payloads, never reading the PONGs: once the kernel's socket
  // buffers are full, PONGs pile up in the server until the bound cuts the connection.
  const std::string payload(8 * 1024, 'z');
  std::vector<std::byte> ping(proto::encoded_size(proto::ping_frame{1, payload}));
  proto::encode_frame(proto::ping_frame{1, payload}, ping);
  bool send_failed = false;
  for (int i = 0; i < 20'000 && !send_failed; ++i) {
    send_failed = !c.send_bytes(ping);
    if (server.stats().slow_consumer_total > 0) break;
  }
  EXPECT_TRUE(eventually([&] { return server.stats().slow_consumer_total == 1; }, 10s));
  EXPECT_EQ(errors_sent(server.stats(), proto::error_code::slow_consumer), 1u);
  EXPECT_TRUE(eventually([&] { return server.stats().sessions_detached == 1; }));
  // The other session never noticed.
  ASSERT_TRUE(bystander.send_frame(proto::ping_frame{9, "ok"}));
  const read_result r = bystander.read_frame(5s);
  ASSERT_EQ(r.status, read_status::frame);
  EXPECT_TRUE(std::holds_alternative<proto::pong_frame>(r.value));
}

TEST(Backpressure, RunningOutOfReceiveBuffersLosesNothing) {
  server_config config = test_config(1);
  config.recv_buffer_count = 16;  // the smallest allowed: many connections sending at once exhaust it
  config.recv_buffer_size = 512;
  running_server server(config);
  constexpr int connection_count = 200;
  constexpr int rounds = 20;
  std::vector<client> clients;
  for (int i = 0; i < connection_count; ++i) {
    clients.push_back(server.connect());
    ASSERT_TRUE(clients.back().hello().ok);
  }
  const std::string payload(400, 'b');
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
