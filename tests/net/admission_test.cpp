// Admission over real sockets: exact session capacity under a burst of HELLOs, per
// source concurrency and rate, and the server-wide connection cap.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/net/support/test_server.hpp"

namespace sluice::test {
namespace {

TEST(Admission, ExactlyMaxSessionsWelcomedUnderABurstAndTheGaugeNeverOvershoots) {
  server_config config = test_config(1);
  config.sessions.sessions_max = 100;
  running_server server(config);

  // Sampled from a thread of its own (continuously) and after every answer read here
  // (so the admission window is covered even when the sampler thread gets little CPU).
  std::atomic<bool> sampling{true};
  std::atomic<std::int64_t> highest{0};
  std::atomic<std::uint64_t> samples{0};
  auto sample = [&] {
    const server_stats s = server.stats();
    const std::int64_t sessions = s.sessions_handshaking + s.sessions_active + s.sessions_detached;
    std::int64_t seen = highest.load();
    while (sessions > seen && !highest.compare_exchange_weak(seen, sessions)) {
    }
    samples.fetch_add(1);
  };
  std::thread sampler([&] {
    while (sampling.load()) sample();
  });

  std::vector<client> clients;
  for (int i = 0; i < 150; ++i) clients.push_back(server.connect());
  // All HELLOs go out before any answer is read, so they compete.
  for (client& c : clients) ASSERT_TRUE(c.send_frame(proto::hello_frame{}));
  int welcomed = 0;
  int refused = 0;
  for (client& c : clients) {
    const read_result r = c.read_frame(10s);
    sample();
    ASSERT_EQ(r.status, read_status::frame);
    if (std::holds_alternative<proto::welcome_frame>(r.value)) {
      ++welcomed;
    } else {
      const auto* error = std::get_if<proto::error_frame>(&r.value);
      ASSERT_NE(error, nullptr);
      EXPECT_EQ(error->code, proto::error_code::capacity);
      EXPECT_TRUE(c.wait_closed(5s));
      ++refused;
    }
  }
  sampling.store(false);
  sampler.join();
  EXPECT_EQ(welcomed, 100);
  EXPECT_EQ(refused, 50);
  EXPECT_LE(highest.load(), 100);
  EXPECT_GE(samples.load(), 150u);
  EXPECT_EQ(server.stats().sessions_active, 100);
  EXPECT_EQ(errors_sent(server.stats(), proto::error_code::capacity), 50u);
}

TEST(Admission, ASourceOverItsConnectionCapIsRefused) {
  server_config config = test_config();
  config.sources.connections_per_source_max = 3;
  running_server server(config);
  std::vector<client> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(server.connect());
    ASSERT_TRUE(held.back().hello().ok);
  }
  client fourth = server.connect();
  expect_error_then_close(fourth, proto::error_code::too_many_connections);
  // Closing one frees its place (the release may travel between reactors).
  held.pop_back();
  EXPECT_TRUE(eventually([&] {
    client again = server.connect();
    return again.hello().ok;
  }));
}

TEST(Admission, ASourceConnectingTooFastIsRateLimited) {
  server_config config = test_config();
  config.sources.connect_burst = 5;
  config.sources.connect_rate_per_s = 0.01;
  running_server server(config);
  for (int i = 0; i < 5; ++i) {
    client c = server.connect();
    ASSERT_TRUE(c.hello().ok) << i;
  }
  client sixth = server.connect();
  expect_error_then_close(sixth, proto::error_code::rate_limited);
}

TEST(Admission, TheServerWideConnectionCapHolds) {
  server_config config = test_config();
  config.max_connections = 4;
  running_server server(config);
  std::vector<client> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(server.connect());
    ASSERT_TRUE(held.back().hello().ok);
  }
  client fifth = server.connect();
  expect_error_then_close(fifth, proto::error_code::capacity);
  EXPECT_EQ(server.stats().connections, 4u);
}

}  // namespace
}  // namespace sluice::test
