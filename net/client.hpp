// A small blocking client for the native protocol: what the tests and the load harness
// use, and a reference for client authors (docs/protocol.md is the spec).
//
//   client c;
//   c.connect("127.0.0.1", port, 2s);
//   hello_result h = c.hello();               // h.welcome.id, h.welcome.resume_token
//   ... connection lost ...
//   reconnect(c, "127.0.0.1", port, h.credentials(), backoff_policy{}, 10);
//
// Thread: one client per thread. Bounds: one frame of at most max_frame bytes buffered.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "engine/protocol/frame.hpp"
#include "engine/session_id.hpp"

namespace sluice {

using namespace std::chrono_literals;

// What a client keeps to resume its session after a disconnect.
struct session_credentials {
  session_id id;
  session_id resume_token;
  std::uint64_t last_seq = 0;
};

enum class read_status : std::uint8_t { frame, closed, timeout, malformed, failed };

struct read_result {
  read_status status = read_status::failed;
  proto::frame value;                                 // status == frame; views stay valid until the next read
  proto::error_code error = proto::error_code::none;  // status == malformed
};

struct hello_result {
  bool ok = false;                                    // a WELCOME arrived
  proto::welcome_frame welcome;                       // when ok
  proto::error_code error = proto::error_code::none;  // the server's ERROR code, when it sent one
  std::string message;                                // what went wrong, when !ok
  [[nodiscard]] session_credentials credentials() const { return {welcome.id, welcome.resume_token, welcome.last_seq}; }
};

class client {
 public:
  explicit client(std::uint32_t max_frame = proto::max_frame_default);
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;
  client(client&& other) noexcept;
  client& operator=(client&& other) noexcept;

  // Opens a TCP connection; returns an error message, empty on success.
  [[nodiscard]] std::string connect(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout);
  // Takes `fd`, a connected non-blocking socket opened elsewhere (bound to a chosen
  // source address, say), as this client's connection.
  void adopt(int fd);
  void disconnect();
  [[nodiscard]] bool connected() const noexcept { return fd_ >= 0; }
  [[nodiscard]] int fd() const noexcept { return fd_; }

  [[nodiscard]] bool send_bytes(std::span<const std::byte> bytes);
  [[nodiscard]] bool send_frame(const proto::frame& frame);
  [[nodiscard]] read_result read_frame(std::chrono::milliseconds timeout);

  // HELLO for a new session, or to resume `credentials`; waits for WELCOME or ERROR.
  [[nodiscard]] hello_result hello(std::chrono::milliseconds timeout = 5s);
  [[nodiscard]] hello_result resume(const session_credentials& credentials, std::chrono::milliseconds timeout = 5s);

  // Reads (and drops) input until the server closes; true when EOF came in time.
  [[nodiscard]] bool wait_closed(std::chrono::milliseconds timeout);

 private:
  [[nodiscard]] hello_result await_welcome(std::chrono::milliseconds timeout);

  int fd_ = -1;
  std::uint32_t max_frame_;
  std::vector<std::byte> in_;
  std::size_t consumed_ = 0;  // bytes of in_ handed out by the last read
};

// Reconnection delays: exponential growth capped at `max`, with full jitter (a uniform
// draw in [0, cap]) so a crowd of clients does not return in lockstep.
struct backoff_policy {
  std::chrono::milliseconds base = 50ms;
  std::chrono::milliseconds max = 5s;
};

[[nodiscard]] std::chrono::milliseconds backoff_delay(const backoff_policy& policy, std::uint32_t attempt,
                                                      std::mt19937_64& rng);

// Connects and resumes `credentials` (or opens a new session when the id is zero),
// retrying up to `attempts` times with backoff. The result says whether the session
// was resumed (welcome.resumed) or is new.
[[nodiscard]] hello_result reconnect(client& c, const std::string& host, std::uint16_t port,
                                     const session_credentials& credentials, const backoff_policy& policy,
                                     std::uint32_t attempts);

}  // namespace sluice
