// A sluice server on 127.0.0.1 and an ephemeral port, started for one test and stopped
// (all threads joined) when the test ends, plus helpers to wait for conditions.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <thread>

#include "engine/config/server_config.hpp"
#include "engine/protocol/decoder.hpp"
#include "engine/protocol/encoder.hpp"
#include "net/client.hpp"
#include "net/log.hpp"
#include "net/server.hpp"

namespace sluice::test {

using namespace std::chrono_literals;

// A config for tests: loopback, any port, small tables so tests stay light.
inline server_config test_config(std::uint32_t threads = 2) {
  server_config c;
  c.listen_address = "127.0.0.1";
  c.port = 0;
  c.threads = threads;
  c.max_connections = 1024;
  c.recv_buffer_count = 64;
  c.ring_entries = 256;
  c.inbox_capacity = 1024;
  c.sessions.sessions_max = 1024;
  return c;
}

class running_server {
 public:
  explicit running_server(server_config config) : server_(std::make_unique<server>(std::move(config))) {
    set_log_fd(-1);  // tests assert on behaviour, not on log lines
    const std::string error = server_->start();
    EXPECT_EQ(error, "");
  }
  ~running_server() { server_->stop(); }

  [[nodiscard]] server& get() { return *server_; }
  [[nodiscard]] std::uint16_t port() const { return server_->port(); }
  [[nodiscard]] server_stats stats() const { return server_->stats(); }

  [[nodiscard]] client connect() const {
    client c;
    const std::string error = c.connect("127.0.0.1", port(), 2s);
    EXPECT_EQ(error, "");
    return c;
  }

 private:
  std::unique_ptr<server> server_;
};

// Polls `condition` until it holds or `timeout` passes; returns its last value. The
// server's threads change what it observes, so there is nothing to join on instead.
inline bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

inline std::uint64_t errors_sent(const server_stats& s, proto::error_code code) {
  return s.errors_sent_total[static_cast<std::size_t>(code)];
}

// Opens a session, drops its connection without CLOSE, and waits until the server has
// seen the drop (the session is no longer active). Returns what a client would keep.
inline session_credentials open_then_drop(running_server& server) {
  session_credentials credentials;
  {
    client c = server.connect();
    const hello_result h = c.hello();
    EXPECT_TRUE(h.ok) << h.message;
    credentials = h.credentials();
  }
  EXPECT_TRUE(eventually([&] { return server.stats().sessions_active == 0; }));
  return credentials;
}

// Reads the next frame and expects an ERROR with `code`, then the server's close.
inline void expect_error_then_close(client& c, proto::error_code code) {
  const read_result r = c.read_frame(5s);
  ASSERT_EQ(r.status, read_status::frame);
  const auto* error = std::get_if<proto::error_frame>(&r.value);
  ASSERT_NE(error, nullptr) << "expected ERROR, got frame index " << r.value.index();
  EXPECT_EQ(error->code, code) << proto::error_code_name(error->code);
  EXPECT_FALSE(error->reason.empty());
  EXPECT_TRUE(c.wait_closed(5s));
}

}  // namespace sluice::test
